import pg from 'pg';

/**
 * A PostgreSQL database made for one run and dropped after it, so browser tests and benchmarks never
 * meet data left by an earlier run. `serverUrl` names the server; its own database part is ignored.
 */
export type ScratchDatabase = { url: string; name: string; drop(): Promise<void> };

export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${process.pid}`;
  await adminQuery(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`),
  };
}

/** Create and drop database cannot run in a transaction: one short connection to the server's own database. */
async function adminQuery(serverUrl: string, text: string): Promise<void> {
  const url = new URL(serverUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
