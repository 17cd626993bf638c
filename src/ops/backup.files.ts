import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';

/** A backup or restore that cannot go ahead, with a message that says what to do. */
export class BackupError extends Error {
  override name = 'BackupError';
}

/**
 * Writes a file through a temporary name beside it and renames it into place, so a backup that fails
 * half-way never leaves a half file where a good one is expected.
 */
export async function writeAtomically(
  file: string,
  write: (temporary: string) => Promise<void>,
): Promise<void> {
  const temporary = `${file}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await write(temporary);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
