/** `unmask serve`: the desktop UI in a browser, on 127.0.0.1 with a per-run token. */
import type { Command } from 'commander';
import { integerInRange } from '../../engine/cli/option-parsers.ts';
import { defaultDataDir } from '../../engine/store/data-dir.ts';
import { startServe } from './serve.ts';

export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the Unmask app to a browser on this machine (127.0.0.1 only, with a per-run token)')
    .option('--port <n>', 'port to listen on (default: a free one)', integerInRange(0, 65535))
    .option('--data-dir <dir>', 'where cases, settings and reports are kept', defaultDataDir())
    .action(async (flags: { port?: number; dataDir: string }) => {
      const server = await startServe({ dataDir: flags.dataDir, port: flags.port ?? 0 });
      process.stdout.write(
        `Unmask is running at ${server.url}\n(open it in a browser on this machine; Ctrl-C stops)\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    });
}
