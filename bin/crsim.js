#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so an edited or copied model needs no build step.
import { register } from 'tsx/esm/api';

// `crsim … | head` closes the pipe early: that is not an error of crsim's
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
