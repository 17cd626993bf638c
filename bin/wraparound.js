#!/usr/bin/env node
// The `wraparound` command: runs the TypeScript sources through tsx, so there is no build step.
import process from 'node:process';

const command = process.argv[2];
if (command === 'link' || command === 'dedupe') {
  // link and dedupe work in memory: start them without loading the web application and the database,
  // and without tsx's loader when a bundle of their sources is cached (see linkageBundle).
  const bundle = await linkageBundle().catch(() => null);
  if (bundle) {
    const { runLinkageCli } = await import(bundle);
    await runLinkageCli(process.argv);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    const { runLinkageCli } = await import('../src/cli-linkage.ts');
    await runLinkageCli(process.argv);
  }
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}

/**
 * src/cli-linkage.ts and the engine files it imports, bundled by esbuild (which tsx itself uses) into
 * node_modules/.cache/wraparound/, and rebuilt whenever any of those files changes (size or time). Node
 * then loads one plain JavaScript file instead of starting tsx's loader thread and esbuild's service
 * for every source file: about half a second less at each start.
 * Returns the bundle's file URL, or null (the caller falls back to tsx) if anything is amiss.
 */
async function linkageBundle() {
  if (process.env.WRAPAROUND_NO_BUNDLE) return null;
  const { readFile, writeFile, stat, mkdir, rename } = await import('node:fs/promises');
  const { fileURLToPath, pathToFileURL } = await import('node:url');
  const path = await import('node:path');
  const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const dir = path.join(root, 'node_modules', '.cache', 'wraparound');
  const out = path.join(dir, 'cli-linkage.mjs');
  const manifestFile = path.join(dir, 'cli-linkage.json');
  const fresh = async (inputs) => {
    for (const [file, { size, mtimeMs }] of Object.entries(inputs)) {
      const s = await stat(path.join(root, file));
      if (s.size !== size || s.mtimeMs !== mtimeMs) return false;
    }
    return true;
  };
  try {
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    if (manifest.node === process.version && (await fresh(manifest.inputs))) return pathToFileURL(out).href;
  } catch {
    // No bundle yet, or a file gone: build one.
  }
  const { createRequire } = await import('node:module');
  const esbuild = createRequire(import.meta.url)('esbuild');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/cli-linkage.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    // Packages are bundled too: one file loads in a fifth of the time of their many files. A banner
    // gives their CommonJS code a require for Node's own modules.
    banner: {
      js: "import { createRequire as wraparoundRequire } from 'node:module'; const require = wraparoundRequire(import.meta.url);",
    },
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  // Installed packages change only through npm, which rewrites its lock file: that one stands for them.
  const inputs = {};
  const watched = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
  for (const file of [...watched, 'node_modules/.package-lock.json']) {
    const s = await stat(path.join(root, file));
    inputs[file] = { size: s.size, mtimeMs: s.mtimeMs };
  }
  await mkdir(dir, { recursive: true });
  const temporary = `${out}.${process.pid}`;
  await writeFile(temporary, result.outputFiles[0].contents);
  await rename(temporary, out);
  await writeFile(manifestFile, JSON.stringify({ node: process.version, inputs }));
  // Files that changed while bundling: use tsx this time; the next start bundles again.
  return (await fresh(inputs)) ? pathToFileURL(out).href : null;
}
