/** Gathers what `unmask doctor` prints: which runtime pieces were chosen, and why the others were not. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolveTool, type ResolvedTool } from './ffmpeg.ts';
import { initTensorflow, type BackendSelection } from './tensorflow.ts';
import { isUnmaskError } from '../util/errors.ts';

export interface DoctorReport {
  node: string;
  platform: string;
  tensorflow: BackendSelection | { error: string };
  ffmpeg: ResolvedTool | { error: string };
  ffprobe: ResolvedTool | { error: string };
  electron: { present: boolean; detail: string };
}

const require = createRequire(import.meta.url);

function electronStatus(): DoctorReport['electron'] {
  try {
    // The electron package exports the path of its binary; the binary itself is downloaded by its install script.
    const binary = require('electron') as unknown as string;
    if (typeof binary === 'string' && existsSync(binary)) return { present: true, detail: binary };
    return { present: false, detail: 'electron package present but its binary is missing' };
  } catch {
    return {
      present: false,
      detail:
        'electron not installed (binary download failed or was skipped); `unmask serve` runs the UI in a browser',
    };
  }
}

function safeTool(tool: 'ffmpeg' | 'ffprobe'): ResolvedTool | { error: string } {
  try {
    return resolveTool(tool);
  } catch (error) {
    return { error: isUnmaskError(error) ? error.message : String(error) };
  }
}

export async function collectDoctorReport(): Promise<DoctorReport> {
  let tensorflow: DoctorReport['tensorflow'];
  try {
    tensorflow = await initTensorflow();
  } catch (error) {
    tensorflow = { error: error instanceof Error ? error.message : String(error) };
  }
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    tensorflow,
    ffmpeg: safeTool('ffmpeg'),
    ffprobe: safeTool('ffprobe'),
    electron: electronStatus(),
  };
}

/** Human-readable form of the report, one decision per block. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines: string[] = [`Node ${report.node} on ${report.platform}`, ''];
  if ('error' in report.tensorflow) {
    lines.push(`TensorFlow.js backend: NONE — ${report.tensorflow.error}`);
  } else {
    lines.push(`TensorFlow.js ${report.tensorflow.tfjsVersion} backend: ${report.tensorflow.backend}`);
    for (const attempt of report.tensorflow.attempts) {
      lines.push(`  ${attempt.ok ? '✓' : '✗'} ${attempt.backend}: ${attempt.detail}`);
    }
  }
  for (const tool of [report.ffmpeg, report.ffprobe]) {
    lines.push('');
    if ('error' in tool) {
      lines.push(`ffmpeg tool: NONE — ${tool.error}`);
      continue;
    }
    lines.push(`${tool.tool}: ${tool.path} (${tool.source}, version ${tool.version}; ${tool.choice})`);
    for (const attempt of tool.attempts) {
      lines.push(`  ${attempt.ok ? '✓' : '✗'} ${attempt.source}: ${attempt.detail}`);
    }
    if (tool.warning) lines.push(`  WARNING: ${tool.warning}`);
  }
  lines.push('', `Electron: ${report.electron.present ? 'present' : 'absent'} — ${report.electron.detail}`);
  return lines.join('\n');
}
