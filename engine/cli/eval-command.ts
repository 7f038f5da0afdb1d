/**
 * `unmask eval --real <paths> --fake <paths> [--reencode crf]`: scans labelled videos and reports frame- and
 * video-level AUC, accuracy and false-positive rate at the flag threshold, calibration error, and the same after
 * re-encoding; writes eval.json and roc.png.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { integerInRange, positiveNumber } from './option-parsers.ts';
import { listVideoFiles } from '../detect/build-face-bank.ts';
import {
  DEFAULT_FLAG_THRESHOLD,
  evaluateScans,
  type EvaluationSummary,
  type LabelledScan,
} from '../detect/evaluate.ts';
import { renderSvgToPng } from '../imaging/svg-to-png.ts';
import { rocChartSvg, type RocSeries } from '../report/roc-chart.ts';
import { DEFAULT_SCAN_OPTIONS, scanVideo } from '../scan/scan-video.ts';
import type { ScanResult } from '../scan/scan-result.ts';
import { UnmaskError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/files.ts';
import { reencodeH264 } from '../video/reencode.ts';
import { createProgressBar } from './progress-bar.ts';

interface EvalFlags {
  real: string[];
  fake: string[];
  reencode?: number;
  fps: number;
  out: string;
  detector?: string;
  saveScans?: boolean;
}

interface VideoRow {
  file: string;
  label: 0 | 1;
  score: number | null;
  verdict: string;
  reencodedScore?: number | null;
  error?: string;
}

const videosUnder = (paths: string[]) => listVideoFiles(paths.map((p) => resolve(p)));
const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');

function describe(name: string, s: EvaluationSummary): string {
  const v = s.videoLevel;
  return [
    `${name}: ${s.videos.real} real + ${s.videos.fake} fake videos (${s.videos.unjudged} without a judgeable face)`,
    `  frame-level AUC ${fmt(s.frameLevel.auc)} over ${s.frameLevel.samples} frames; ECE ${fmt(s.frameLevel.ece)}`,
    `  video-level AUC ${fmt(v.auc)}; ECE ${fmt(v.ece)}`,
    `  at the flag threshold ${DEFAULT_FLAG_THRESHOLD}: accuracy ${fmt(v.atFlagThreshold.accuracy)}, false-positive rate ${fmt(v.atFlagThreshold.falsePositiveRate)}, true-positive rate ${fmt(v.atFlagThreshold.truePositiveRate)}`,
    `  at 0.5: accuracy ${fmt(v.atHalf.accuracy)}, false-positive rate ${fmt(v.atHalf.falsePositiveRate)}`,
  ].join('\n');
}

export function addEvalCommand(program: Command): void {
  program
    .command('eval')
    .description(
      'measure the detector on labelled real and fake videos (AUC, false-positive rate, calibration)',
    )
    .requiredOption('--real <paths...>', 'real videos or folders of them')
    .option('--fake <paths...>', 'manipulated videos or folders of them', [])
    .option('--reencode <crf>', 'also evaluate after H.264 re-encoding at this CRF', integerInRange(0, 51))
    .option('--fps <n>', 'sampled frames per second', positiveNumber, 2)
    .option('--out <dir>', 'where to write eval.json and roc.png', 'unmask-eval')
    .option('--detector <dir>', 'detector model folder (default: the shipped one)')
    .option('--save-scans', 'also keep every scan JSON in <out>/scans/ (to study frame and track scores)')
    .action(async (flags: EvalFlags) => {
      const files = [
        ...videosUnder(flags.real).map((file) => ({ file, label: 0 as const })),
        ...videosUnder(flags.fake).map((file) => ({ file, label: 1 as const })),
      ];
      if (files.length === 0) throw new UnmaskError('inputNotFound', 'No videos found to evaluate.');
      const options = {
        ...DEFAULT_SCAN_OPTIONS,
        sampling: { fps: flags.fps },
        includeLandmarks: false,
        detector: flags.detector ? { modelDir: resolve(flags.detector) } : {},
      };
      const bar = createProgressBar();
      const rows: VideoRow[] = [];
      const original: LabelledScan[] = [];
      const reencoded: LabelledScan[] = [];
      const scansDir = flags.saveScans ? join(resolve(flags.out), 'scans') : undefined;
      const saveScan = async (i: number, file: string, scan: ScanResult, suffix: string) => {
        if (scansDir)
          await writeFileAtomic(
            join(scansDir, `${String(i).padStart(3, '0')}-${basename(file)}${suffix}.json`),
            JSON.stringify(scan),
          );
      };
      const scratch = await mkdtemp(join(tmpdir(), 'unmask-eval-'));
      try {
        for (const [i, { file, label }] of files.entries()) {
          bar.listener({ stage: 'eval', done: i, total: files.length, detail: basename(file) });
          try {
            const scan = await scanVideo(file, options);
            await saveScan(i, file, scan, '');
            original.push({ label, scan });
            const row: VideoRow = { file, label, score: scan.verdict.score, verdict: scan.verdict.label };
            if (flags.reencode !== undefined) {
              const copy = join(scratch, `${i}.mp4`);
              await reencodeH264(file, copy, flags.reencode);
              const again = await scanVideo(copy, options);
              await saveScan(i, file, again, `-crf${flags.reencode}`);
              reencoded.push({ label, scan: again });
              row.reencodedScore = again.verdict.score;
            }
            rows.push(row);
          } catch (error) {
            rows.push({
              file,
              label,
              score: null,
              verdict: 'error',
              error: error instanceof Error ? error.message : String(error),
            });
          }
        }
        bar.listener({ stage: 'eval', done: files.length, total: files.length, detail: 'done' });
      } finally {
        bar.stop();
        await rm(scratch, { recursive: true, force: true });
      }
      const summary = evaluateScans(original);
      const summaryReencoded = reencoded.length ? evaluateScans(reencoded) : undefined;
      for (const row of rows) {
        const extra =
          row.reencodedScore !== undefined
            ? ` → ${row.reencodedScore === null ? 'n/a' : row.reencodedScore.toFixed(3)} re-encoded`
            : '';
        process.stdout.write(
          `${row.label ? 'FAKE' : 'REAL'}  ${row.score === null ? '  n/a' : row.score.toFixed(3)}${extra}  ${row.verdict}  ${basename(row.file)}${row.error ? `  (${row.error})` : ''}\n`,
        );
      }
      process.stdout.write(`\n${describe('Original', summary)}\n`);
      if (summaryReencoded) {
        process.stdout.write(`\n${describe(`Re-encoded (H.264 CRF ${flags.reencode})`, summaryReencoded)}\n`);
        process.stdout.write(
          `\nAUC drop after re-encoding: video ${fmt(summary.videoLevel.auc - summaryReencoded.videoLevel.auc)}, frame ${fmt(summary.frameLevel.auc - summaryReencoded.frameLevel.auc)}\n`,
        );
      }
      const out = resolve(flags.out);
      await writeFileAtomic(
        join(out, 'eval.json'),
        JSON.stringify(
          {
            flagThreshold: DEFAULT_FLAG_THRESHOLD,
            reencodeCrf: flags.reencode ?? null,
            rows,
            summary,
            summaryReencoded,
          },
          null,
          1,
        ),
      );
      const series: RocSeries[] = [
        {
          label: 'video level',
          points: summary.videoLevel.roc,
          auc: summary.videoLevel.auc,
          colour: '#b91c1c',
        },
        {
          label: 'frame level',
          points: summary.frameLevel.roc,
          auc: summary.frameLevel.auc,
          colour: '#1d4ed8',
        },
      ];
      if (summaryReencoded) {
        series.push(
          {
            label: `video, CRF ${flags.reencode}`,
            points: summaryReencoded.videoLevel.roc,
            auc: summaryReencoded.videoLevel.auc,
            colour: '#f59e0b',
            dashed: true,
          },
          {
            label: `frame, CRF ${flags.reencode}`,
            points: summaryReencoded.frameLevel.roc,
            auc: summaryReencoded.frameLevel.auc,
            colour: '#10b981',
            dashed: true,
          },
        );
      }
      await writeFileAtomic(join(out, 'roc.png'), renderSvgToPng(rocChartSvg('Unmask detector ROC', series)));
      process.stdout.write(`\nWrote ${join(out, 'eval.json')} and ${join(out, 'roc.png')}\n`);
    });
}
