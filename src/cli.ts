import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { access, readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig, type Config } from './config.ts';
import { createServices } from './composition.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { startServer } from './main.ts';
import { seedDemo, type DemoSummary } from './seed/demo.ts';
import { accessSchemas, otpauthUri } from './modules/access/index.ts';
import { STAFF_ROLES } from './common/context.ts';
import { ValidationError } from './common/errors.ts';
import { verifyChains } from './modules/audit/index.ts';
import { importAgencyFile, readLinkageMap } from './modules/people/index.ts';
import { addLinkageCommands } from './cli-linkage.ts';
import { checkTemplateFile } from './modules/assessments/index.ts';
import { FEED_KIND_KEYS, FEED_SOURCES, importFeedFile, type FeedKind } from './modules/signals/index.ts';
import { exportDirectory, importDirectory, loadPlacesCsv } from './modules/directory/index.ts';
import { remindStaleEntries } from './modules/directory/index.ts';
import { remindPlans } from './modules/plans/index.ts';
import { backupDatabase, restoreDatabase } from './ops/backup.ts';
import { summariseTables } from './ops/tables.ts';

/** The `wraparound` command. Every failure ends with one plain line on stderr and exit code 1. */

const EMBEDDED_WARNING =
  'Embedded database (PGlite): for trying Wraparound and for tests only. It does not flush commits to disk, ' +
  'so real records belong on PostgreSQL: set DATABASE_URL.';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('give a whole number, 0 or more');
  return n;
}

async function withDatabase<T>(config: Config, work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = await openDatabase(config.database);
  try {
    await migrateToLatest(handle.db);
    return await work(handle);
  } finally {
    await handle.close();
  }
}

/** The partnership a command works in: the one named, or the only one there is. */
async function choosePartnership(handle: DatabaseHandle, slug: string | undefined) {
  const partnerships = await handle.db.selectFrom('partnerships').select(['id', 'slug']).execute();
  const partnership = slug
    ? partnerships.find((p) => p.slug === slug)
    : partnerships.length === 1
      ? partnerships[0]
      : undefined;
  if (!partnership)
    throw new Error(
      `--partnership: give one of ${partnerships.map((p) => p.slug).join(', ') || '(none: seed or create one first)'}`,
    );
  return partnership;
}

async function seedWithProgress(
  handle: DatabaseHandle,
  children: number,
  seed: number,
): Promise<DemoSummary> {
  const interactive = process.stderr.isTTY;
  const bar = new SingleBar(
    {
      format: 'Demo children |{bar}| {value}/{total} ({percentage}%) {rate}/s, about {eta_formatted} left',
      hideCursor: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  const started = Date.now();
  let barStarted = false;
  let lastLine = 0;
  const onProgress = (done: number) => {
    const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
    if (interactive) {
      if (!barStarted) bar.start(children, 0, { rate });
      barStarted = true;
      bar.update(done, { rate });
    } else if (Date.now() - lastLine > 5000 || done === children) {
      lastLine = Date.now();
      process.stderr.write(`Demo children: ${done}/${children} (${rate}/s)\n`);
    }
  };
  const services = createServices(handle.db, loadConfig());
  try {
    return await seedDemo(handle.db, services.audit, { children, seed, onProgress });
  } finally {
    if (barStarted) bar.stop();
  }
}

/** Progress on stderr once work has taken a couple of seconds: a bar on a terminal, else a line every 5 s. */
function progressReporter(label: string) {
  const started = Date.now();
  let bar: SingleBar | undefined;
  let lastLine = started;
  return {
    update: (done: number, total: number) => {
      const now = Date.now();
      if (now - started < 2000) return;
      const rate = Math.round(done / ((now - started) / 1000));
      if (process.stderr.isTTY) {
        if (!bar) {
          bar = new SingleBar(
            {
              format: `${label} |{bar}| {value}/{total} ({percentage}%) {rate}/s, about {eta_formatted} left`,
              hideCursor: true,
              etaBuffer: 50,
            },
            Presets.shades_classic,
          );
          bar.start(total, done, { rate });
        }
        bar.update(done, { rate });
      } else if (now - lastLine >= 5000) {
        lastLine = now;
        process.stderr.write(`${label}: ${done}/${total} (${rate}/s)\n`);
      }
    },
    stop: () => bar?.stop(),
  };
}

function printSignIns(summary: DemoSummary) {
  const width = Math.max(...summary.accounts.map((a) => a.email.length));
  console.log(`\nDemo sign-ins (password for all: ${summary.password}):`);
  for (const a of summary.accounts)
    console.log(
      `  ${a.email.padEnd(width)}  ${a.jobTitle}, ${a.organisation}${a.totpSecret ? ' (two-factor)' : ''}`,
    );
  const withTotp = summary.accounts.filter((a) => a.totpSecret);
  const secret = withTotp[0]?.totpSecret;
  if (!secret) return;
  console.log(
    `\nAccounts marked (two-factor) also ask for a code from an authenticator app. The demo secret for all of them`,
  );
  console.log(`(published, for the demo only): ${secret}`);
  for (const a of withTotp) console.log(`  ${otpauthUri(secret, a.email)}`);
}

const program = new Command()
  .name('wraparound')
  .description('Wraparound: integrated children’s services for a partnership of agencies.')
  .showHelpAfterError();

program
  .command('serve')
  .description('Migrate the database and serve the web application (settings come from the environment).')
  .option('--demo', 'load the demo partnership "Northbridge" on first run (children: DEMO_CHILDREN)')
  .action(async (opts: { demo?: boolean }) => {
    const config = loadConfig();
    if (config.database.kind === 'pglite') console.warn(EMBEDDED_WARNING);
    let summary: DemoSummary | undefined;
    const running = await startServer(config, {
      demo: Boolean(opts.demo),
      beforeListen: async (handle) => {
        if (opts.demo) summary = await seedWithProgress(handle, config.demo.children, config.demo.seed);
      },
    });
    if (summary) printSignIns(summary);
    console.log(`\nWraparound is running at ${running.url}  (Ctrl+C to stop)`);
    const stop = async () => {
      await running.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });

program
  .command('migrate')
  .description('Bring the database schema up to date (forward only).')
  .action(async () => {
    const config = loadConfig();
    const handle = await openDatabase(config.database);
    try {
      const applied = await migrateToLatest(handle.db);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
    } finally {
      await handle.close();
    }
  });

program
  .command('seed')
  .description('Load the demo partnership "Northbridge" into an empty database.')
  .option('--children <n>', 'how many children to generate', positiveInt)
  .option('--seed <s>', 'random seed: the same seed gives the same people', positiveInt)
  .action(async (opts: { children?: number; seed?: number }) => {
    const config = loadConfig();
    await withDatabase(config, async (handle) => {
      const summary = await seedWithProgress(
        handle,
        opts.children ?? config.demo.children,
        opts.seed ?? config.demo.seed,
      );
      console.log(
        summary.created
          ? `Seeded ${summary.children} children.`
          : 'The demo partnership is already loaded; nothing was changed.',
      );
      printSignIns(summary);
    });
  });

const users = program.command('users').description('Manage user accounts.');
users
  .command('create')
  .description(
    'Create a user account (for the first administrator of a new partnership, or scripted set-up).',
  )
  .requiredOption('--email <email>', 'sign-in email address')
  .requiredOption('--name <name>', 'full name')
  .requiredOption('--organisation <name>', 'home organisation, by exact name')
  .option('--roles <roles>', `comma-separated, from: ${STAFF_ROLES.join(', ')}`, 'practitioner')
  .option('--job-title <title>', 'job title')
  .option('--password-stdin', 'read the password from standard input instead of generating one')
  .action(
    async (opts: {
      email: string;
      name: string;
      organisation: string;
      roles: string;
      jobTitle?: string;
      passwordStdin?: boolean;
    }) => {
      const config = loadConfig();
      await withDatabase(config, async (handle) => {
        const org = await handle.db
          .selectFrom('organisations')
          .select(['id', 'partnershipId'])
          .where('name', '=', opts.organisation)
          .executeTakeFirst();
        if (!org) throw new Error(`--organisation: no organisation is called "${opts.organisation}"`);
        const generated = !opts.passwordStdin;
        const password = generated ? randomBytes(12).toString('base64url') : (await readStdin()).trim();
        const input = accessSchemas.UserInput.safeParse({
          email: opts.email,
          displayName: opts.name,
          jobTitle: opts.jobTitle,
          organisationId: org.id,
          roles: opts.roles.split(',').map((r) => r.trim()),
          password,
        });
        if (!input.success) {
          const issue = input.error.issues[0]!;
          const option = OPTION_FOR_FIELD[String(issue.path[0])] ?? String(issue.path[0]);
          throw new Error(`--${option}: ${issue.message}`);
        }
        const services = createServices(handle.db, config);
        const ctx = {
          actor: { system: 'cli users create', partnershipId: org.partnershipId },
          requestId: `cli-${Date.now()}`,
          now: new Date(),
        };
        const user = await services.access.createUser(ctx, input.data);
        console.log(`Created account ${user.id} for ${input.data.email}.`);
        if (generated) console.log(`Initial password: ${password}`);
      });
    },
  );

users
  .command('reset-two-factor')
  .description(
    'Clear an account’s two-factor set-up, for an administrator with no other administrator to ask; they set it up again at their next sign-in.',
  )
  .requiredOption('--email <email>', 'sign-in email address of the account')
  .action(async (opts: { email: string }) => {
    const config = loadConfig();
    await withDatabase(config, async (handle) => {
      const user = await handle.db
        .selectFrom('users')
        .select(['id', 'partnershipId', 'version'])
        .where((eb) => eb(eb.fn('lower', ['email']), '=', opts.email.toLowerCase()))
        .executeTakeFirst();
      if (!user) throw new Error(`--email: no account has the email address ${opts.email}`);
      const ctx = {
        actor: { system: 'cli users reset-two-factor', partnershipId: user.partnershipId },
        requestId: `cli-${Date.now()}`,
        now: new Date(),
      };
      await createServices(handle.db, config).twoFactor.reset(ctx, user.id, user.version);
      console.log(`Two-factor authentication was reset for ${opts.email}; their sessions were ended.`);
    });
  });

const OPTION_FOR_FIELD: Record<string, string> = {
  displayName: 'name',
  organisationId: 'organisation',
  jobTitle: 'job-title',
  password: 'password-stdin',
};

/** Verifies every partnership's audit chain, printing a line for each; false if one is broken. */
async function checkAuditChains(handle: DatabaseHandle, config: Config, workers?: number): Promise<boolean> {
  const partnerships = await handle.db
    .selectFrom('partnerships')
    .select(['id', 'slug'])
    .orderBy('slug')
    .execute();
  const progress = progressReporter('Audit events checked');
  const checks = await verifyChains(
    handle.db,
    partnerships.map((p) => p.id),
    {
      // PGlite is one connection in this process: there, everything is checked here.
      connectionString: config.database.kind === 'postgres' ? config.database.url : undefined,
      workers: workers ?? availableParallelism() + 1,
      onProgress: progress.update,
    },
  ).finally(progress.stop);
  partnerships.forEach((p, i) => {
    const check = checks[i]!;
    if (check.ok) console.log(`${p.slug}: ${check.events} events, chain intact`);
    else
      console.log(
        `${p.slug}: chain broken at event ${check.brokenAt} (${check.reason}); ${check.events} events before it are intact`,
      );
  });
  return checks.every((c) => c.ok);
}

const audit = program.command('audit').description('Check the tamper-evident audit trail.');
audit
  .command('verify')
  .description(
    'Check every partnership’s audit chain; names the first bad event and exits 1 if one is found. ' +
      'On PostgreSQL, parts of each chain are checked in parallel, each on its own connection.',
  )
  .option('--workers <n>', 'PostgreSQL: how many parts to check at once (default: CPUs + 1)', positiveInt)
  .action(async (opts: { workers?: number }) => {
    const config = loadConfig();
    await withDatabase(config, async (handle) => {
      if (!(await checkAuditChains(handle, config, opts.workers))) process.exitCode = 1;
    });
  });
audit
  .command('head')
  .description('Print the last event of each partnership’s chain, to keep outside the database.')
  .action(async () => {
    const config = loadConfig();
    await withDatabase(config, async (handle) => {
      const heads = await createServices(handle.db, config).audit.heads();
      for (const h of heads) console.log(`${h.slug} ${h.seq} ${h.hash} ${new Date(h.at).toISOString()}`);
    });
  });

const exporter = program.command('export').description('Produce what is held, for people entitled to it.');
exporter
  .command('person')
  .description(
    'Everything held about one person (a subject access request), as JSON: details, addresses, relationships, involvements, consent, items (third-party ones marked for redaction review), emergency access, sharing decisions and every recorded look. The export is itself audited.',
  )
  .argument('<id>', 'the person’s id')
  .option('--out <file>', 'write to this file instead of standard output')
  .action(async (id: string, opts: { out?: string }) => {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
      throw new Error(`<id>: "${id}" is not a person id (a UUID such as 3f2a…)`);
    const config = loadConfig();
    await withDatabase(config, async (handle) => {
      const found = await handle.db
        .selectFrom('people')
        .select('partnershipId')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!found) throw new Error(`<id>: no person has the id ${id}`);
      const ctx = {
        actor: { system: 'cli export person', partnershipId: found.partnershipId },
        requestId: `cli-${Date.now()}`,
        now: new Date(),
      };
      const pack = await createServices(handle.db, config).people.subjectAccess(ctx, id);
      const json = `${JSON.stringify(pack, null, 2)}\n`;
      if (opts.out) {
        await writeFile(opts.out, json);
        console.error(
          `Wrote ${opts.out}: ${pack.items.length} items, ${pack.accessLog.length} recorded looks.`,
        );
      } else process.stdout.write(json);
    });
  });

exporter
  .command('cin-census')
  .description(
    'The Children in Need census for a year (1 April to 31 March) as the DfE XML, checked against the published validation rules; prints the count of errors and queries. The export is audited.',
  )
  .requiredOption(
    '--year <year>',
    'the year the census ends, for example 2025 for 1 April 2024 to 31 March 2025',
  )
  .requiredOption('--out <file>', 'the XML file to write')
  .option('--partnership <slug>', 'the partnership (needed when there is more than one)')
  .action(async (opts: { year: string; out: string; partnership?: string }) => {
    const config = loadConfig();
    await withDatabase(config, async (handle) => {
      const partnership = await choosePartnership(handle, opts.partnership);
      const ctx = {
        actor: { system: 'cli export cin-census', partnershipId: partnership.id },
        requestId: `cli-${Date.now()}`,
        now: new Date(),
      };
      const { run, xml } = await createServices(handle.db, config)
        .statutoryReturns.cinCensusXml(ctx, opts.year)
        .catch((error: unknown) => {
          if (error instanceof ValidationError && error.fields[0]?.field === 'laCode')
            throw new Error('Set the local authority number first (on the web: Statutory returns)');
          throw error;
        });
      await writeFile(opts.out, xml);
      const { children, episodes, errors, queries } = run.counts;
      console.log(
        `${children} children, ${episodes} referrals written to ${opts.out}: ${errors} errors, ${queries} queries.`,
      );
    });
  });

program
  .command('import')
  .description(
    'Load an agency extract (school roll, GP registrations, social care clients, police) into the person index and link it: ' +
      'rows the index cannot use go to a rejects file with their line and reason; rerunning the same file changes nothing; ' +
      'an interrupted import finishes when run again.',
  )
  .argument(
    '<source>',
    'the source’s code, such as gp-registrations (see the sources in the web UI under Person index)',
  )
  .argument('<file>', 'the CSV extract, with a header row')
  .requiredOption('--map <map.json>', 'which column holds which field (the same map.json as wraparound link)')
  .option('--rejects <file>', 'where to write rejected rows (default: <file>.rejects.csv)')
  .option('--partnership <slug>', 'the partnership to import into (needed when there is more than one)')
  .action(
    async (source: string, file: string, opts: { map: string; rejects?: string; partnership?: string }) => {
      const map = await readLinkageMap(opts.map);
      try {
        await access(file);
      } catch {
        throw new Error(`<file>: ${file} cannot be read`);
      }
      const config = loadConfig();
      await withDatabase(config, async (handle) => {
        const partnership = await choosePartnership(handle, opts.partnership);
        const ctx = {
          actor: { system: 'cli import', partnershipId: partnership.id },
          requestId: `cli-${Date.now()}`,
          now: new Date(),
        };
        const rejectsPath = opts.rejects ?? `${file}.rejects.csv`;
        // Made at the first rejected row: a clean file leaves no empty rejects file behind.
        let rejects: WriteStream | undefined;
        const reading = progressReporter('Rows read');
        const linking = progressReporter('Records linked');
        try {
          const result = await importAgencyFile(createServices(handle.db, config).personIndex, ctx, {
            source,
            fileName: basename(file),
            open: () => createReadStream(file),
            map,
            rejects: (line) => (rejects ??= createWriteStream(rejectsPath)).write(`${line}\n`),
            onProgress: (phase, done, total) => (phase === 'reading' ? reading : linking).update(done, total),
          });
          console.log(
            `${result.rowsRead} rows read: ${result.stored} records stored, ${result.unchanged} already held, ${result.rejected} rejected` +
              (result.rejected > 0 ? ` (see ${rejectsPath})` : '') +
              `.\nLinked: ${result.outcome.autoLinked} automatically, ${result.outcome.forReview} for review, ${result.outcome.newPeople} new people.`,
          );
        } catch (error) {
          // The source is an argument, not an option: name it as one.
          if (error instanceof ValidationError && error.fields[0]?.field === 'source')
            throw new Error(`<source>: ${error.fields[0].message}`);
          throw error;
        } finally {
          reading.stop();
          linking.stop();
          if (rejects) await new Promise((resolve) => rejects!.end(resolve));
        }
      });
    },
  );

program
  .command('feed')
  .description(
    'Load an agency’s data feed (weekly school attendance, health appointments a child was not brought to, emergency department attendances, ' +
      'police notifications of domestic abuse, housing notices, school exclusions) through the person index, as `wraparound import` does: ' +
      'each row becomes a signal once its child is linked (a row the index is unsure of waits for review), and the rules are evaluated for those children; ' +
      'rows that cannot be used go to a rejects file with their line and reason; rerunning the same file adds nothing. See docs/signals.md.',
  )
  .argument('<kind>', `the kind of feed: ${FEED_KIND_KEYS.join(', ')}`)
  .argument(
    '<file>',
    'the CSV file, with a header row: identifying columns, event_date and the kind’s own columns',
  )
  .option(
    '--source <code>',
    `the record source it comes from (default by kind: ${[...new Set(Object.values(FEED_SOURCES))].join(', ')})`,
  )
  .option(
    '--map <map.json>',
    'which column holds which identifying field (default: event_id, given_name, family_name, date_of_birth as YYYY-MM-DD, sex, address, postcode, nhs_number, upn)',
  )
  .option('--rejects <file>', 'where to write rejected rows (default: <file>.rejects.csv)')
  .option('--partnership <slug>', 'the partnership to load it into (needed when there is more than one)')
  .action(
    async (
      kind: string,
      file: string,
      opts: { source?: string; map?: string; rejects?: string; partnership?: string },
    ) => {
      if (!(FEED_KIND_KEYS as string[]).includes(kind))
        throw new Error(`<kind>: "${kind}" is not a kind of feed; give one of ${FEED_KIND_KEYS.join(', ')}`);
      const map = opts.map ? await readLinkageMap(opts.map) : undefined;
      try {
        await access(file);
      } catch {
        throw new Error(`<file>: ${file} cannot be read`);
      }
      const config = loadConfig();
      await withDatabase(config, async (handle) => {
        const partnership = await choosePartnership(handle, opts.partnership);
        const ctx = {
          actor: { system: 'cli feed', partnershipId: partnership.id },
          requestId: `cli-${Date.now()}`,
          now: new Date(),
        };
        const rejectsPath = opts.rejects ?? `${file}.rejects.csv`;
        let rejects: WriteStream | undefined;
        try {
          const result = await importFeedFile(createServices(handle.db, config), ctx, {
            kind: kind as FeedKind,
            source: opts.source,
            fileName: basename(file),
            open: () => createReadStream(file),
            map,
            rejects: (line) => (rejects ??= createWriteStream(rejectsPath)).write(`${line}\n`),
          });
          console.log(
            `${result.rowsRead} rows read: ${result.stored} records stored, ${result.unchanged} already held, ${result.rejected} rejected` +
              (result.rejected > 0 ? ` (see ${rejectsPath})` : '') +
              `.\nLinked: ${result.outcome.autoLinked} automatically, ${result.outcome.forReview} for review, ${result.outcome.newPeople} new people.` +
              `\nFeed events: ${result.events} new; ${result.signalled} became signals, ${result.noSignal} needed none; ` +
              `${result.waiting} (of all feeds) wait for their record to be linked in the person index’s review queue.` +
              `\nAlerts: ${result.alertsRaised} raised, ${result.alertsUpdated} added to; ` +
              `${result.notified} school safeguarding lead notifications of police reports.`,
          );
        } catch (error) {
          if (error instanceof ValidationError && error.fields[0]?.field === 'source')
            throw new Error(`--source: ${error.fields[0].message}`);
          throw error;
        } finally {
          if (rejects) await new Promise((resolve) => rejects!.end(resolve));
        }
      });
    },
  );

program
  .command('templates')
  .description('Assessment templates.')
  .command('check')
  .description(
    'Check an assessment template file and the shared sections it includes, as the application does when it starts: prints each fault with the path to it.',
  )
  .argument('<file>', 'the template’s JSON file')
  .action((file: string) => {
    const { template, faults } = checkTemplateFile(file);
    if (!template) {
      for (const fault of faults) console.log(fault);
      throw new Error(`${basename(file)}: ${faults.length} ${faults.length === 1 ? 'fault' : 'faults'}`);
    }
    const questions = template.sections.reduce((n, s) => n + s.questions.length, 0);
    console.log(
      `${basename(file)}: ${template.id} version ${template.version}, ${template.sections.length} sections, ${questions} questions, no faults.`,
    );
  });

/** A directory file's text, or a clear error naming it. */
async function readDirectoryFile(file: string) {
  try {
    return { name: basename(file), content: await readFile(file, 'utf8') };
  } catch {
    throw new Error(`<file>: ${file} cannot be read`);
  }
}

/** A file-level fault (unreadable JSON, missing columns) as one line naming the file. */
function directoryFileError(error: unknown): never {
  if (error instanceof ValidationError && error.fields[0]?.field === 'file')
    throw new Error(error.fields.map((f) => f.message).join('\n'));
  throw error;
}

const directory = program
  .command('directory')
  .description(
    'The directory of services (Open Referral UK): load it from a file, write it out, load postcode coordinates.',
  );
directory
  .command('import')
  .description(
    'Load services from an Open Referral UK JSON feed (an array of nested HSDS 3.0 services, a Page object or { "services": [...] }) ' +
      'or a flat CSV with one row per service (columns: id, organization_id, organization_name, name, description, url, email, status, ' +
      'minimum_age, maximum_age, free, access_routes and languages separated by ;, specialist, address_1, city, postal_code, latitude, longitude, ' +
      'schedule_byday, opens_at, closes_at, phone, taxonomy_term_codes separated by ;, assured_date, and the others `directory export --format csv` writes). ' +
      'Each record is checked; good ones load, broken ones are listed with their line and field; ids are kept, so loading the same file again duplicates nothing.',
  )
  .argument('<file>', 'the .json or .csv file')
  .option('--partnership <slug>', 'the partnership to load it into (needed when there is more than one)')
  .option('--rejects <file>', 'also write the rejected records (line, field, message) to this CSV file')
  .action(async (file: string, opts: { partnership?: string; rejects?: string }) => {
    const source = await readDirectoryFile(file);
    const config = loadConfig();
    await withDatabase(config, async (handle) => {
      const partnership = await choosePartnership(handle, opts.partnership);
      const ctx = {
        actor: { system: 'cli directory import', partnershipId: partnership.id },
        requestId: `cli-${Date.now()}`,
        now: new Date(),
      };
      const report = await importDirectory(handle.db, ctx, partnership.id, source).catch(directoryFileError);
      for (const r of report.rejected) console.log(`line ${r.line}, ${r.field}: ${r.message}`);
      if (opts.rejects && report.rejected.length)
        await writeFile(
          opts.rejects,
          [
            'line,field,message',
            ...report.rejected.map((r) => `${r.line},${r.field},"${r.message.replace(/"/g, '""')}"`),
          ].join('\n') + '\n',
        );
      const records = new Set(report.rejected.map((r) => r.line)).size;
      console.log(
        `${report.loaded} services loaded, ${records} rejected` +
          (records && opts.rejects ? ` (see ${opts.rejects})` : '') +
          '.',
      );
    });
  });
directory
  .command('export')
  .description(
    'Write every service of the partnership as an Open Referral UK JSON feed or the flat CSV that `directory import` reads.',
  )
  .argument('<file>', 'the file to write')
  .option('--format <format>', 'json or csv (default: from the file name, else json)')
  .option('--partnership <slug>', 'the partnership to export (needed when there is more than one)')
  .action(async (file: string, opts: { format?: string; partnership?: string }) => {
    const format = opts.format ?? (/\.csv$/i.test(file) ? 'csv' : 'json');
    if (format !== 'json' && format !== 'csv') throw new Error(`--format: give json or csv, not "${format}"`);
    const config = loadConfig();
    await withDatabase(config, async (handle) => {
      const partnership = await choosePartnership(handle, opts.partnership);
      const content = await exportDirectory(handle.db, partnership.id, format);
      await writeFile(file, content);
      const { n: services } = await handle.db
        .selectFrom('directoryServices')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('partnershipId', '=', partnership.id)
        .executeTakeFirstOrThrow();
      console.log(`${services} services written to ${file} (${format}).`);
    });
  });
directory
  .command('places')
  .description(
    'Load postcode coordinates into the places table from an ONS Postcode Directory-style CSV (columns pcds or postcode, lat, long), ' +
      'with each outward code’s centre, so distance search works for the area. Rows without coordinates are listed and skipped.',
  )
  .argument('<csv>', 'the postcode CSV file')
  .action(async (file: string) => {
    const source = await readDirectoryFile(file);
    const config = loadConfig();
    await withDatabase(config, async (handle) => {
      const report = await loadPlacesCsv(handle.db, source).catch(directoryFileError);
      for (const r of report.rejected.slice(0, 20)) console.log(`line ${r.line}, ${r.field}: ${r.message}`);
      if (report.rejected.length > 20) console.log(`… and ${report.rejected.length - 20} more rows skipped`);
      console.log(
        `${report.postcodes} postcodes and ${report.outcodes} outward codes loaded, ${report.rejected.length} rows skipped.`,
      );
    });
  });
directory
  .command('remind')
  .description(
    'Tell the owners of directory entries not reviewed for 6 months: each directory editor of the agency that runs the entry ' +
      '(or the partnership administrators) gets a notification, at most once every 30 days per entry. The server also does this every 6 hours.',
  )
  .action(async () => {
    const config = loadConfig();
    await withDatabase(config, async (handle) => {
      const result = await remindStaleEntries(handle.db, new Date());
      console.log(`${result.notifications} reminders sent about ${result.entries} entries due for review.`);
    });
  });

program
  .command('plans')
  .description('Family plans.')
  .command('remind')
  .description(
    'Notify reviews due within the reminder window (the lead professional) or overdue (the lead and the team managers ' +
      'of their organisation), and overdue actions (their owner, or the lead for an agency’s or the family’s action), ' +
      'once per due date. The server also does this every hour.',
  )
  .action(async () => {
    const config = loadConfig();
    await withDatabase(config, async (handle) => {
      const r = await remindPlans(handle.db, new Date());
      console.log(
        `${r.notifications} reminders sent: ${r.reviewsDueSoon} reviews due soon, ${r.reviewsOverdue} reviews overdue, ` +
          `${r.actionsOverdue} actions overdue.`,
      );
    });
  });

program
  .command('outcomes')
  .description("The outcome dashboards' monthly counts.")
  .command('refresh')
  .description(
    'Count again the months whose records changed since the last refresh (every month with --full), for every partnership. ' +
      'The server does this every minute, and in full once a day.',
  )
  .option('--full', 'count every month again, not only the changed ones')
  .action(async (opts: { full?: boolean }) => {
    const config = loadConfig();
    await withDatabase(config, async (handle) => {
      const services = createServices(handle.db, config);
      for (const { partnershipId, sources } of await services.outcomes.refresh({
        full: opts.full ?? false,
      })) {
        for (const s of sources)
          console.log(
            `${partnershipId} ${s.source}: ${s.months} months counted again, ${s.rows} counts, ${s.ms} ms`,
          );
      }
    });
  });

/** Where the settings point, for messages: never the URL itself, which may hold a password. */
function describeTarget(database: Config['database']): string {
  if (database.kind === 'pglite') return `the embedded database in ${database.dataDir}`;
  const url = new URL(database.url);
  return `PostgreSQL database ${url.pathname.slice(1) || '(default)'} on ${url.host}`;
}

program
  .command('backup')
  .description(
    'Write the whole database to one file: on PostgreSQL (DATABASE_URL) with pg_dump in its custom format; ' +
      'the embedded database (DATA_DIR) as a consistent copy of its folder (a gzipped tarball), which needs the server stopped. ' +
      'The file appears only when the backup is complete. See docs/operations.md.',
  )
  .argument('<file>', 'the backup file to write (replaced if it exists)')
  .action(async (file: string) => {
    const config = loadConfig();
    const result = await backupDatabase(config.database, file);
    console.log(
      `Backed up ${describeTarget(config.database)} to ${file}: ${formatBytes(result.bytes)} in ${result.seconds.toFixed(1)} s.`,
    );
  });

program
  .command('restore')
  .description(
    'Load a backup made by `wraparound backup` into an empty database: on PostgreSQL the database DATABASE_URL names ' +
      '(create it first), with pg_restore; embedded, into DATA_DIR, which must be a new or empty folder. ' +
      'Then verifies every audit chain and prints each table’s row count; exits 1 if a chain is broken.',
  )
  .argument('<file>', 'the backup file')
  .option('--jobs <n>', 'PostgreSQL: tables restored at once (default: CPUs, at most 4)', positiveInt)
  .option(
    '--replace',
    'PostgreSQL: drop everything in the target database first (every schema but PostgreSQL’s own), instead of refusing a database that is not empty',
  )
  .action(async (file: string, opts: { jobs?: number; replace?: boolean }) => {
    const config = loadConfig();
    const restored = await restoreDatabase(config.database, file, {
      jobs: opts.jobs || undefined,
      replace: opts.replace,
    });
    console.log(
      `Restored ${file} into ${describeTarget(config.database)} in ${restored.seconds.toFixed(1)} s.`,
    );
    const handle = await openDatabase(config.database);
    try {
      const tables = await summariseTables(handle.db, { digests: false });
      const rows = tables.filter((t) => t.kind === 'table');
      const width = Math.max(...rows.map((t) => t.name.length));
      console.log(`\n${rows.length} tables, ${rows.reduce((n, t) => n + t.rows, 0)} rows:`);
      for (const t of rows) console.log(`  ${t.name.padEnd(width)}  ${t.rows}`);
      console.log('\nAudit chains:');
      if (!(await checkAuditChains(handle, config))) process.exitCode = 1;
    } finally {
      await handle.close();
    }
  });

function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} kB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// link and dedupe: in memory, no database (bin/wraparound.js starts them without the rest of this file).
addLinkageCommands(program);

program.parseAsync().catch((error: Error) => {
  const fields = (error as { fields?: { field: string; message: string }[] }).fields;
  console.error(fields ? fields.map((f) => `--${f.field}: ${f.message}`).join('\n') : error.message);
  process.exit(1);
});
