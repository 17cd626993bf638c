import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig, type Config } from './config.ts';
import { createServices } from './composition.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { startServer } from './main.ts';
import { seedDemo, type DemoSummary } from './seed/demo.ts';
import { accessSchemas } from './modules/access/index.ts';
import { ROLES } from './common/context.ts';

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

function printSignIns(summary: DemoSummary) {
  const width = Math.max(...summary.accounts.map((a) => a.email.length));
  console.log(`\nDemo sign-ins (password for all: ${summary.password}):`);
  for (const a of summary.accounts)
    console.log(`  ${a.email.padEnd(width)}  ${a.jobTitle}, ${a.organisation}`);
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
  .option('--roles <roles>', `comma-separated, from: ${ROLES.join(', ')}`, 'practitioner')
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

const OPTION_FOR_FIELD: Record<string, string> = {
  displayName: 'name',
  organisationId: 'organisation',
  jobTitle: 'job-title',
  password: 'password-stdin',
};

const audit = program.command('audit').description('Check the tamper-evident audit trail.');
audit
  .command('verify')
  .description(
    'Check every partnership’s audit chain; names the first bad event and exits 1 if one is found.',
  )
  .action(async () => {
    const config = loadConfig();
    await withDatabase(config, async (handle) => {
      const { audit: service } = createServices(handle.db, config);
      const partnerships = await handle.db
        .selectFrom('partnerships')
        .select(['id', 'slug'])
        .orderBy('slug')
        .execute();
      let broken = false;
      for (const p of partnerships) {
        const check = await service.verifyChain(p.id);
        if (check.ok) console.log(`${p.slug}: ${check.events} events, chain intact`);
        else {
          broken = true;
          console.log(
            `${p.slug}: chain broken at event ${check.brokenAt} (${check.reason}); ${check.events} events before it are intact`,
          );
        }
      }
      if (broken) process.exitCode = 1;
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

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

program.parseAsync().catch((error: Error) => {
  const fields = (error as { fields?: { field: string; message: string }[] }).fields;
  console.error(fields ? fields.map((f) => `--${f.field}: ${f.message}`).join('\n') : error.message);
  process.exit(1);
});
