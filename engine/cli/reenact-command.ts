/** `unmask reenact`: the driver's expressions on a trained project's identity, in that identity's own frame. */
import type { Command } from 'commander';
import { requireConsent } from '../swap/consent.ts';
import { reenactFace } from '../swap/reenact.ts';
import type { Identity } from '../swap/swap-networks.ts';
import { UnmaskError } from '../util/errors.ts';
import { positiveNumber } from './option-parsers.ts';
import { createProgressBar } from './progress-bar.ts';
import { abortOnSigint } from './swap-command.ts';

/** `<project>` or `<project>:a|b` (default identity b). */
export function parseTarget(value: string): { projectDir: string; identity: Identity } {
  const match = /^(.*):([ab])$/i.exec(value);
  if (match) return { projectDir: match[1]!, identity: match[2]!.toLowerCase() as Identity };
  if (value.length === 0) throw new UnmaskError('usage', '--target needs a project folder');
  return { projectDir: value, identity: 'b' };
}

export function addReenactCommand(program: Command): void {
  program
    .command('reenact')
    .description(
      'put a driver video’s expressions and mouth on a trained identity (watermarked, tagged AI-generated)',
    )
    .requiredOption('--driver <video>', 'video of the person whose expressions drive the target')
    .requiredOption(
      '--target <project[:a|b]>',
      'trained swap project and the identity to animate (default b)',
    )
    .requiredOption('--out <video>', 'output video')
    .option('--consent <statement>', 'who consented, and to what (required; written into the output)')
    .option(
      '--max-pose <degrees>',
      'largest yaw/pitch difference from the target’s reference pose',
      positiveNumber,
      20,
    )
    .action(
      async (flags: { driver: string; target: string; out: string; consent?: string; maxPose: number }) => {
        const consent = requireConsent(flags.consent, 'render a face reenactment');
        const target = parseTarget(flags.target);
        const { signal, release } = abortOnSigint();
        const bar = createProgressBar();
        try {
          const result = await reenactFace({
            projectDir: target.projectDir,
            driver: flags.driver,
            target: target.identity,
            output: flags.out,
            consent,
            options: { maxPoseDelta: (flags.maxPose * Math.PI) / 180 },
            onProgress: bar.listener,
            signal,
          });
          bar.stop();
          process.stderr.write(
            `Reenacted ${result.frames} frames onto identity ${target.identity.toUpperCase()}: ${result.paintedFrames} painted, ${result.outOfRangeFrames} beyond ±${flags.maxPose}° of the reference pose and ${result.noFaceFrames} without a face held. Wrote ${result.output} (watermarked, tagged ai_generated=true).\n`,
          );
        } finally {
          bar.stop();
          release();
        }
      },
    );
}
