import { loadConfig, type Config } from '../../src/config.ts';
import { createServices } from '../../src/composition.ts';
import { startServer } from '../../src/main.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database.ts';

export type TestServer = { url: string; demoPassword: string; engine: string; stop(): Promise<void> };

/**
 * The real application, in this process, on a free port, with a small demo partnership: on an
 * in-memory PGlite, or on a fresh PostgreSQL database when DATABASE_URL names a server.
 */
export async function startTestServer(options: { children: number }): Promise<TestServer> {
  const serverUrl = process.env.DATABASE_URL;
  const scratch: ScratchDatabase | undefined = serverUrl
    ? await createScratchDatabase(serverUrl, 'wa_e2e')
    : undefined;
  const base = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    DATABASE_URL: scratch?.url,
  });
  // Set here rather than through DATA_DIR, which loadConfig resolves to a folder path.
  const config: Config = {
    ...base,
    database: scratch ? { kind: 'postgres', url: scratch.url } : { kind: 'pglite', dataDir: 'memory://' },
  };

  let demoPassword = '';
  try {
    const running = await startServer(config, {
      demo: true,
      beforeListen: async (handle) => {
        const services = createServices(handle.db, config);
        const summary = await seedDemo(handle.db, services.audit, {
          children: options.children,
          seed: config.demo.seed,
        });
        demoPassword = summary.password;
      },
    });
    return {
      url: running.url,
      demoPassword,
      engine: config.database.kind,
      stop: async () => {
        await running.stop();
        await scratch?.drop();
      },
    };
  } catch (error) {
    await scratch?.drop();
    throw error;
  }
}
