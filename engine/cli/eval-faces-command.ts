/**
 * `unmask eval-faces --faces <dataset> [--split test] [--reencode crf]`: scores every aligned face of one split
 * of a labelled face dataset (labelled-faces.ts) as the scan would, and reports frame-level AUC, calibration
 * error and the rates at the flag threshold, and the same after H.264 re-encoding; writes eval-faces.json and
 * roc.png.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { cachedLabelledFaceBanks } from '../detect/cached-face-bank.ts';
import { loadDetector } from '../detect/detector.ts';
import { DEFAULT_FLAG_THRESHOLD } from '../detect/evaluate.ts';
import {
  reencodeImages,
  scoreFaceBank,
  type FaceScore,
  summarizeFaceScores,
  type FaceEvaluation,
} from '../detect/evaluate-faces.ts';
import {
  buildLabelledFaceBanks,
  DEFAULT_LABELLED_FACES,
  LABELLED_FACES_CSV,
  parseLabelledFaceCsv,
  type LabelledFacesOptions,
} from '../detect/labelled-faces.ts';
import type { DatasetSplit } from '../detect/face-bank.ts';
import { DEFAULT_EXTRACT_FACES } from '../faces/extract-faces.ts';
import { loadFaceDetector } from '../faces/face-detector.ts';
import { renderSvgToPng } from '../imaging/svg-to-png.ts';
import { rocChartSvg, type RocSeries } from '../report/roc-chart.ts';
import { UnmaskError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/files.ts';
import { integerInRange, MAX_OUTSIDE_HELP, maxOutsideFraction } from './option-parsers.ts';
import { createProgressBar } from './progress-bar.ts';
import { roundTo } from '../util/round.ts';

interface EvalFacesFlags {
  faces: string;
  split: DatasetSplit;
  detector?: string;
  reencode?: number;
  cache?: string;
  maxOutside: number;
  out: string;
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');

function describe(name: string, e: FaceEvaluation): string {
  return [
    `${name}: ${e.samples.real} real + ${e.samples.fake} fake faces`,
    `  frame-level AUC ${fmt(e.auc)}; ECE ${fmt(e.ece)}`,
    `  at the flag threshold ${DEFAULT_FLAG_THRESHOLD}: accuracy ${fmt(e.atFlagThreshold.accuracy)}, false-positive rate ${fmt(e.atFlagThreshold.falsePositiveRate)}, true-positive rate ${fmt(e.atFlagThreshold.truePositiveRate)}`,
    `  at 0.5: accuracy ${fmt(e.atHalf.accuracy)}, false-positive rate ${fmt(e.atHalf.falsePositiveRate)}, true-positive rate ${fmt(e.atHalf.truePositiveRate)}`,
  ].join('\n');
}

export function addEvalFacesCommand(program: Command): void {
  program
    .command('eval-faces')
    .description('measure the detector on one split of a labelled face-image dataset (frame-level AUC, ECE)')
    .requiredOption('--faces <dir>', `a labelled face dataset: a folder with ${LABELLED_FACES_CSV}`)
    .addOption(
      new Option('--split <split>', 'which split to score').choices(['train', 'val', 'test']).default('test'),
    )
    .option('--detector <dir>', 'detector model folder (default: the shipped one)')
    .option(
      '--reencode <crf>',
      'also score the faces after H.264 re-encoding at this CRF',
      integerInRange(0, 51),
    )
    .option(
      '--max-outside <fraction>',
      MAX_OUTSIDE_HELP,
      maxOutsideFraction,
      DEFAULT_LABELLED_FACES.maxOutside,
    )
    .option('--cache <dir>', 'where aligned faces are cached', join(tmpdir(), 'unmask-face-cache'))
    .option('--out <dir>', 'where to write eval-faces.json and roc.png', 'unmask-eval-faces')
    .action(async (flags: EvalFacesFlags) => {
      const detector = await loadDetector(flags.detector ? { modelDir: resolve(flags.detector) } : {});
      const bar = createProgressBar();
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      const { crop } = detector.metadata;
      const options: LabelledFacesOptions = {
        ...DEFAULT_LABELLED_FACES,
        maxOutside: flags.maxOutside,
        extract: {
          ...DEFAULT_EXTRACT_FACES,
          cropSize: crop.alignedSize,
          margin: crop.margin,
          resampling: crop.resampling,
        },
      };
      let scratch: string | undefined;
      try {
        const { banks, report } = await cachedLabelledFaceBanks(
          flags.faces,
          options,
          resolve(flags.cache!),
          bar.listener,
          controller.signal,
        );
        bar.stop();
        const bank = banks[flags.split];
        if (!bank)
          throw new UnmaskError(
            'inputNotFound',
            `${flags.faces} has no usable faces in its ${flags.split} split.`,
          );
        const originalScores = await scoreFaceBank(detector, bank, bar.listener);
        const original = summarizeFaceScores(originalScores);
        bar.stop();
        let reencoded: FaceEvaluation | undefined;
        let reencodedScores: FaceScore[] | undefined;
        if (flags.reencode !== undefined) {
          scratch = await mkdtemp(join(tmpdir(), 'unmask-reencode-'));
          const dir = resolve(flags.faces);
          const rows = parseLabelledFaceCsv(await readFile(join(dir, LABELLED_FACES_CSV), 'utf8')).filter(
            (r) => r.split === flags.split,
          );
          const copies = await reencodeImages(
            dir,
            rows,
            flags.reencode,
            scratch,
            bar.listener,
            controller.signal,
          );
          bar.stop();
          const faceDetector = await loadFaceDetector();
          try {
            const again = await buildLabelledFaceBanks(
              scratch,
              copies,
              faceDetector,
              options,
              bar.listener,
              controller.signal,
            );
            bar.stop();
            reencodedScores = await scoreFaceBank(detector, again.banks[flags.split]!, bar.listener);
            reencoded = summarizeFaceScores(reencodedScores);
          } finally {
            faceDetector.dispose();
          }
          bar.stop();
        }
        process.stdout.write(`${describe(`${flags.faces} (${flags.split})`, original)}\n`);
        if (reencoded) {
          process.stdout.write(`\n${describe(`Re-encoded (H.264 CRF ${flags.reencode})`, reencoded)}\n`);
          process.stdout.write(`\nAUC drop after re-encoding: ${fmt(original.auc - reencoded.auc)}\n`);
        }
        const out = resolve(flags.out);
        await writeFileAtomic(
          join(out, 'eval-faces.json'),
          JSON.stringify(
            {
              dataset: resolve(flags.faces),
              split: flags.split,
              detector: { name: detector.metadata.name, version: detector.metadata.version },
              flagThreshold: DEFAULT_FLAG_THRESHOLD,
              reencodeCrf: flags.reencode ?? null,
              aligned: { kept: report.kept, rows: report.rows, skipped: report.skipped },
              original,
              reencoded,
              // Per face, so that detectors can be compared or combined face by face.
              faces: {
                original: faceRecords(originalScores),
                reencoded: reencodedScores && faceRecords(reencodedScores),
              },
            },
            null,
            1,
          ),
        );
        const series: RocSeries[] = [
          { label: 'faces', points: original.roc, auc: original.auc, colour: '#1d4ed8' },
        ];
        if (reencoded) {
          series.push({
            label: `faces, CRF ${flags.reencode}`,
            points: reencoded.roc,
            auc: reencoded.auc,
            colour: '#10b981',
            dashed: true,
          });
        }
        await writeFileAtomic(
          join(out, 'roc.png'),
          renderSvgToPng(rocChartSvg('Unmask detector ROC (faces)', series)),
        );
        process.stdout.write(`\nWrote ${join(out, 'eval-faces.json')} and ${join(out, 'roc.png')}\n`);
      } finally {
        bar.stop();
        detector.dispose();
        process.off('SIGINT', onSignal);
        if (scratch) await rm(scratch, { recursive: true, force: true });
      }
    });
}

/** A face's row in eval-faces.json: its image, label, raw logit and calibrated probability. */
function faceRecords(scores: readonly FaceScore[]) {
  return scores.map((s) => ({
    source: s.source,
    label: s.label,
    logit: roundTo(s.logit, 4),
    probability: roundTo(s.score, 4),
  }));
}
