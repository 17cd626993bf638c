import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { walkOnPostgres } from './audit.verify.copy.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './audit.verify.ts';

/**
 * A worker thread of `verifyChains`: checks the ranges it is sent, one at a time, reading each with
 * COPY on its own connection (and, only to recheck a row, on a second one opened when first needed).
 */

const { connectionString } = workerData as WorkerSetup;
const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);

const connect = async () => {
  const client = new pg.Client({ connectionString });
  client.on('error', (error) => send({ failed: error.message }));
  await client.connect();
  return client;
};
const reader = connect();
let checker: Promise<pg.Client> | undefined;

port.on('message', (message: ToWorker) => {
  if ('stop' in message) {
    void Promise.allSettled([reader, checker].map(async (c) => (await c)?.end())).then(() => port.close());
    return;
  }
  reader
    .then((client) =>
      walkOnPostgres(
        client,
        () => (checker ??= connect()),
        message.range,
        (rows) => send({ progress: rows }),
      ),
    )
    .then(
      (broken) => send({ broken }),
      (error: Error) => send({ failed: error.message }),
    );
});
