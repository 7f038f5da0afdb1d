/** The full `unmask` command: the engine's subcommands plus the app's own (`serve`). */
import { buildCli, runCli } from '../../engine/cli/main.ts';
import { addServeCommand } from './serve-command.ts';

export function runAppCli(argv: string[]): Promise<number> {
  const program = buildCli();
  addServeCommand(program);
  return runCli(argv, program);
}
