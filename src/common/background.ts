/**
 * Background work that repeats: run now and then every `intervalMs`, one run at a time (a slow run
 * delays the next, never overlaps it). A failure is passed to `onError` and the next run tries again.
 * `stop()` ends the timer and waits for a run in progress. The timer does not keep the process alive.
 */
export function repeatInBackground(
  work: () => Promise<void>,
  intervalMs: number,
  onError: (error: unknown) => void,
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = () => {
    if (stopped) return;
    running = running.then(() => work().catch(onError));
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

export type JobLog = { info(obj: object, msg: string): void; error(obj: object, msg: string): void };

/**
 * Reminders sent in the background every `intervalMs`: what each run sent is logged as
 * "<what> sent", a failure as "<what> failed" (the next run tries again).
 */
export function scheduleReminders(
  what: string,
  send: () => Promise<object>,
  log: JobLog,
  intervalMs: number,
): { stop(): Promise<void> } {
  return repeatInBackground(
    async () => log.info({ ...(await send()) }, `${what} sent`),
    intervalMs,
    (error) => log.error({ err: error }, `${what} failed`),
  );
}
