import { Command, InvalidArgumentError } from 'commander';
/*
 * The matching engine is imported from its own files rather than from the people module's index.ts:
 * the index also loads the service and routes (Kysely, Fastify), which would triple the start-up time
 * of `link` and `dedupe`. These two commands work in memory and never open the database.
 */
/* eslint-disable no-restricted-imports */
import { linkRecords } from './modules/people/people.matching.ts';
import { readLinkageFile, readLinkageMap, writePairs } from './modules/people/people.linkage-io.ts';
/* eslint-enable no-restricted-imports */

/**
 * `wraparound link` and `wraparound dedupe`: the measurement contract of the matching engine.
 * bin/wraparound.js runs this file alone for these two commands, so that they start fast; src/cli.ts
 * adds the same commands to the full program.
 */

function probability(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1) || value.trim() === '')
    throw new InvalidArgumentError('give a probability from 0 to 1');
  return n;
}

function report(written: number, stats: { candidates: number; totalSeconds: number }, out: string) {
  console.error(
    `Wrote ${written} pairs to ${out} (${stats.candidates} candidate pairs compared in ${stats.totalSeconds.toFixed(2)} s).`,
  );
}

export function addLinkageCommands(program: Command): Command {
  program
    .command('link')
    .description(
      'Link the records of two CSV files: writes left_id,right_id,probability for every pair judged a match. In memory; no database.',
    )
    .requiredOption('--left <file>', 'the first CSV file')
    .requiredOption('--right <file>', 'the second CSV file')
    .requiredOption('--map <file>', 'map.json: which column holds which field')
    .requiredOption('--out <file>', 'where to write the pairs (CSV)')
    .option('--threshold <p>', 'lowest probability written (default: the auto-link band)', probability)
    .action(async (opts: { left: string; right: string; map: string; out: string; threshold?: number }) => {
      const map = await readLinkageMap(opts.map);
      const [left, right] = await Promise.all([
        readLinkageFile(opts.left, map),
        readLinkageFile(opts.right, map),
      ]);
      const { pairs, stats } = linkRecords(left, right, { threshold: opts.threshold, extraNames: map.extra });
      report(await writePairs(opts.out, pairs), stats, opts.out);
    });

  program
    .command('dedupe')
    .description(
      'Find the records of one CSV file that are the same person: writes left_id,right_id,probability for every pair judged a match, each pair once. In memory; no database.',
    )
    .requiredOption('--in <file>', 'the CSV file')
    .requiredOption('--map <file>', 'map.json: which column holds which field')
    .requiredOption('--out <file>', 'where to write the pairs (CSV)')
    .option('--threshold <p>', 'lowest probability written (default: the auto-link band)', probability)
    .action(async (opts: { in: string; map: string; out: string; threshold?: number }) => {
      const map = await readLinkageMap(opts.map);
      const records = await readLinkageFile(opts.in, map);
      const { pairs, stats } = linkRecords(records, null, {
        threshold: opts.threshold,
        extraNames: map.extra,
      });
      report(await writePairs(opts.out, pairs), stats, opts.out);
    });
  return program;
}

/** Run on its own (bin/wraparound.js does, for `link` and `dedupe`). */
export async function runLinkageCli(argv: string[]): Promise<void> {
  const program = addLinkageCommands(new Command().name('wraparound').showHelpAfterError());
  await program.parseAsync(argv).catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
