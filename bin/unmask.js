#!/usr/bin/env node
// Entry point for `npx unmask`. Runs the TypeScript CLI through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
// app/server/app-cli.ts is the engine's CLI plus the app's `serve` (engine/ never imports app/).
const { runAppCli } = await import('../app/server/app-cli.ts');
process.exitCode = await runAppCli(process.argv);
