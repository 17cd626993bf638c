import fs from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { ARTIFACTS_DIR } from './artifacts.ts';
import { startTestServer } from './test-server.ts';

declare module 'vitest' {
  interface ProvidedContext {
    baseUrl: string;
    demoPassword: string;
  }
}

/** Starts one server for the run; test files reach it through `inject('baseUrl')`. */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  await fs.rm(ARTIFACTS_DIR, { recursive: true, force: true });
  await fs.mkdir(ARTIFACTS_DIR, { recursive: true });
  const started = Date.now();
  const server = await startTestServer({ children: 200 });
  console.log(
    `e2e: ${server.engine} server with the demo partnership at ${server.url} (${Date.now() - started} ms)`,
  );
  project.provide('baseUrl', server.url);
  project.provide('demoPassword', server.demoPassword);
  return server.stop;
}
