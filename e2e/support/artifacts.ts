import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Screenshots and accessibility findings of the last run (gitignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../artifacts', import.meta.url));

export function artifactPath(...parts: string[]): string {
  return path.join(ARTIFACTS_DIR, ...parts);
}

export function slug(text: string): string {
  return text
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
