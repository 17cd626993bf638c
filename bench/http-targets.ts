import fs from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { setTimeout } from 'node:timers/promises';
import Fastify from 'fastify';
import { loadConfig } from '../src/config.ts';
import { createServices } from '../src/composition.ts';
import { startServer } from '../src/main.ts';
import { seedDemo } from '../src/seed/demo.ts';

/**
 * The servers under test, in a process of their own so the load generator does not share their CPU:
 * the application with a demo partnership on the database in DATABASE_URL, and a bare Fastify route
 * in the same process as a baseline. Tells the parent where they listen; on the parent's word it
 * records a CPU profile (of one measured run only, not start-up or the other target) and stops.
 */

export type TargetsCommand =
  { command: 'stop' } | { command: 'profile-start' } | { command: 'profile-stop'; file: string };

export type TargetsReady = {
  appUrl: string;
  bareUrl: string;
  accounts: { email: string; name: string }[];
  password: string;
};

const config = loadConfig({
  ...process.env,
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
});
let seeded: Pick<TargetsReady, 'accounts' | 'password'> = { accounts: [], password: '' };
const app = await startServer(config, {
  demo: true,
  beforeListen: async (handle) => {
    const { audit } = createServices(handle.db, config);
    seeded = await seedDemo(handle.db, audit, { children: config.demo.children, seed: config.demo.seed });
  },
});

const bare = Fastify();
bare.get('/', async () => 'hello');
const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

const ready: TargetsReady = {
  appUrl: app.url,
  bareUrl,
  accounts: seeded.accounts,
  password: seeded.password,
};
process.send?.(ready);

const inspector = new Session();
inspector.connect();

async function obey(message: TargetsCommand): Promise<void> {
  switch (message.command) {
    case 'profile-start':
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
      break;
    case 'profile-stop': {
      const { profile } = await inspector.post('Profiler.stop');
      await fs.writeFile(message.file, JSON.stringify(profile));
      break;
    }
    case 'stop':
      // Requests whose client has gone may still be running: give them time to finish before the
      // database closes under them (app.stop() does not wait for them).
      await setTimeout(1000);
      await Promise.all([app.stop(), bare.close()]);
      process.exit(0);
  }
  process.send?.({ done: message.command });
}

process.on('message', (message: TargetsCommand) => void obey(message));
