#!/usr/bin/env node
// Entry point for `npx unmask`. Runs the TypeScript CLI through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../engine/cli/main.ts');
process.exitCode = await runCli(process.argv);
