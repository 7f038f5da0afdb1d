/** `unmask worker --queue redis://…`: scans queued videos until stopped (SIGTERM / Ctrl-C: graceful). */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { checkQueueServer, queueServerWarnings } from '../batch/queue-connection.ts';
import type { QueueAddress } from '../batch/queue-url.ts';
import { DEFAULT_SCAN_WORKER_OPTIONS, startScanWorker, type ScanWorkerEvent } from '../batch/scan-worker.ts';
import { nonNegativeNumber, positiveInteger, positiveNumber, queueAddress } from './option-parsers.ts';

interface WorkerFlags {
  queue: QueueAddress;
  concurrency: number;
  grace: number;
  lockDuration: number;
  stalledInterval: number;
}

function describe(event: ScanWorkerEvent): string {
  switch (event.type) {
    case 'started':
      return `started ${basename(event.path)} (${event.jobId.slice(0, 19)}…, attempt ${event.attempt})`;
    case 'completed':
      return `scanned ${basename(event.path)} in ${event.seconds.toFixed(1)} s: ${event.message}`;
    case 'failed':
      return `${event.final ? 'failed' : 'will retry'} ${basename(event.path)} (attempt ${event.attempt}): ${event.error}`;
    case 'released':
      return `released ${basename(event.path)} back to the queue`;
    case 'queue-error':
      return `queue: ${event.message}`;
  }
}

export function addWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('scan videos from a batch queue until stopped (run one per core on each machine)')
    .requiredOption('--queue <url>', 'Redis address of the queue, e.g. redis://10.0.0.5:6379', queueAddress)
    .option('--concurrency <n>', 'videos scanned at once by this process', positiveInteger, 1)
    .option(
      '--grace <sec>',
      'on SIGTERM, wait this long for running scans before releasing them to other workers',
      nonNegativeNumber,
      60,
    )
    .option(
      '--lock-duration <sec>',
      "seconds without a heartbeat before a worker's job is recovered by another",
      positiveNumber,
      DEFAULT_SCAN_WORKER_OPTIONS.lockDurationMs / 1000,
    )
    .option(
      '--stalled-interval <sec>',
      'how often to look for jobs of dead workers',
      positiveNumber,
      DEFAULT_SCAN_WORKER_OPTIONS.stalledIntervalMs / 1000,
    )
    .action(async (flags: WorkerFlags) => {
      const server = await checkQueueServer(flags.queue);
      for (const warning of queueServerWarnings(server)) process.stderr.write(`warning: ${warning}\n`);
      const log = (line: string) => process.stderr.write(`[worker ${process.pid}] ${line}\n`);
      const worker = await startScanWorker(
        flags.queue,
        {
          ...DEFAULT_SCAN_WORKER_OPTIONS,
          concurrency: flags.concurrency,
          lockDurationMs: flags.lockDuration * 1000,
          stalledIntervalMs: flags.stalledInterval * 1000,
        },
        (event) => log(describe(event)),
      );
      log(
        `ready: ${worker.id} on ${flags.queue.display} (Redis ${server.redisVersion}), concurrency ${flags.concurrency}`,
      );
      await new Promise<void>((resolve, reject) => {
        let stopping = false;
        const onSignal = (signal: NodeJS.Signals) => {
          if (stopping) {
            log(`${signal} again: releasing running scans now`);
            worker.releaseNow();
            return;
          }
          stopping = true;
          log(`${signal}: finishing running scans (up to ${flags.grace} s, then releasing them)`);
          worker.stop(flags.grace * 1000).then(resolve, reject);
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });
      log('stopped');
    });
}
