/**
 * The `unmask` command line. Each subcommand lives in its own file; this one wires them up and turns
 * UnmaskError into a one-line message plus a distinct exit code (never a stack trace).
 */
import { Command, CommanderError } from 'commander';
import { collectDoctorReport, formatDoctorReport } from '../runtime/doctor.ts';
import { EXIT_CODES, isUnmaskError } from '../util/errors.ts';
import { addBatchCommand } from './batch-command.ts';
import { addCasesCommand } from './cases-command.ts';
import { addEvalCommand } from './eval-command.ts';
import { addEvalFacesCommand } from './eval-faces-command.ts';
import { addLearnCommand } from './learn-command.ts';
import { addReportCommand } from './report-command.ts';
import { addReenactCommand } from './reenact-command.ts';
import { addScanCommand } from './scan-command.ts';
import { addSwapCommand } from './swap-command.ts';
import { addTrainDetectorCommand } from './train-detector-command.ts';
import { addWorkerCommand } from './worker-command.ts';

export function buildCli(): Command {
  const program = new Command('unmask')
    .description('Decide whether a video of a face is real. Runs fully offline.')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  program
    .command('doctor')
    .description('print which TensorFlow.js backend, ffmpeg and Electron were found, and why')
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      const report = await collectDoctorReport();
      process.stdout.write(
        options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctorReport(report)}\n`,
      );
    });

  addScanCommand(program);
  addTrainDetectorCommand(program);
  addEvalCommand(program);
  addEvalFacesCommand(program);
  addLearnCommand(program);
  addSwapCommand(program);
  addReenactCommand(program);
  addBatchCommand(program);
  addWorkerCommand(program);
  addCasesCommand(program);
  addReportCommand(program);
  return program;
}

/** Runs the CLI; the app layer passes a program with its own subcommands (e.g. `serve`) added. */
export async function runCli(argv: string[], program: Command = buildCli()): Promise<number> {
  try {
    await program.parseAsync(argv);
    return EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    if (isUnmaskError(error)) {
      process.stderr.write(`unmask: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `unmask: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    if (process.env['UNMASK_DEBUG']) console.error(error);
    return EXIT_CODES.internal;
  }
}
