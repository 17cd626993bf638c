import { repeatInBackground } from '../../common/background.ts';
import type { OutcomeService } from './outcomes.service.ts';

type Log = { info(obj: object, msg: string): void; error(obj: object, msg: string): void };

/** How often the monthly counts catch up with new records, and how often they are all counted again. */
export const REFRESH_INTERVAL_MS = 60_000;
export const FULL_REFRESH_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * Keeps the outcome figures current in the background: the months changed since the last refresh
 * now and every minute, and every month once a day (which also catches a row committed long after it
 * was written). A failure is logged and the next run tries again; `stop()` waits for a run in progress.
 */
export function scheduleOutcomeRefresh(outcomes: OutcomeService, log: Log, intervalMs = REFRESH_INTERVAL_MS) {
  let lastFull = Date.now();
  return repeatInBackground(
    async () => {
      const full = Date.now() - lastFull >= FULL_REFRESH_INTERVAL_MS;
      const results = await outcomes.refresh({ full });
      if (full) lastFull = Date.now();
      const sources = results.flatMap((r) => r.sources).filter((s) => s.months > 0);
      if (sources.length > 0) log.info({ full, sources }, 'outcome figures refreshed');
    },
    intervalMs,
    (error) => log.error({ err: error }, 'outcome figures refresh failed'),
  );
}
