#!/usr/bin/env node
// The `wraparound` command: runs the TypeScript sources through tsx, so there is no build step.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
// link and dedupe work in memory: start them without loading the web application and the database.
const command = process.argv[2];
if (command === 'link' || command === 'dedupe') {
  const { runLinkageCli } = await import('../src/cli-linkage.ts');
  await runLinkageCli(process.argv);
} else await import('../src/cli.ts');
