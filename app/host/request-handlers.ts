/**
 * The host's side of the contract: one handler per request channel, shared by Electron main and
 * `unmask serve`. What differs between the two shells (dialogs, media URLs, PDF printing, revealing a folder)
 * comes in as `ShellServices`.
 */
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UnmaskError } from '../../engine/util/errors.ts';
import { exportReport, reportHtmlFor } from '../../engine/report/export-report.ts';
import { pdfPageDecorations, type PdfPageDecorations } from '../../engine/report/pdf.ts';
import { FacePictures } from '../../engine/report/report-images.ts';
import { describeMapRange } from '../../engine/imaging/heatmap.ts';
import type { DoctorReport } from '../../engine/runtime/doctor.ts';
import type { AppInfo, EngineInfo, ReportFormat, RequestHandlers } from '../common/contract.ts';
import type { CaseLibrary } from './case-library.ts';
import type { EngineLauncher } from './engine-launcher.ts';
import { BatchJobs } from './batch-jobs.ts';
import { askEngine, type EmitEvent } from './engine-jobs.ts';
import { ScanJobs } from './scan-jobs.ts';
import { readSettings, writeSettings } from './settings-file.ts';
import { SwapJobs } from './swap-jobs.ts';

export interface ShellServices {
  info: Omit<AppInfo, 'dataDir'>;
  chooseVideo(): Promise<{ path: string } | null>;
  /** Native folder dialog; absent (a browser), the user types the folder's path. */
  chooseFolder?(): Promise<string | null>;
  /** Native save dialog starting at `defaultPath`; absent (a browser), renders go to the default path. */
  chooseSavePath?(defaultPath: string): Promise<string | null>;
  /** A URL the renderer can play; only called for paths the host allows. */
  mediaUrl(path: string): string;
  revealPath(path: string): Promise<boolean>;
  /** Prints report HTML to PDF (Electron: printToPDF); absent, the engine's headless Chromium prints it. */
  printPdf?(html: string, decorations: PdfPageDecorations, outPath: string): Promise<void>;
}

export interface HostOptions {
  dataDir: string;
  launchEngine: EngineLauncher;
  cases: CaseLibrary;
  emit: EmitEvent;
  shell: ShellServices;
}

export interface Host {
  handlers: RequestHandlers;
  /** True when the renderer may read this file (it opened it, or it belongs to a case). */
  isAllowedMedia(path: string): Promise<boolean>;
  /** Marks a file the user chose (dialog, drop, upload) as readable by the renderer. */
  allowMedia(path: string): void;
  close(): void;
}

export function reportFileName(fileName: string, format: ReportFormat): string {
  const stem = fileName.replace(/\.[^.]+$/, '').replace(/[^\p{L}\p{N}._-]+/gu, '_');
  return `${stem}.unmask-report.${format}`;
}

/** The doctor report without the per-candidate attempts: what the Settings screen shows. */
export function engineInfo(report: DoctorReport): EngineInfo {
  const tool = (t: DoctorReport['ffmpeg']) =>
    'error' in t ? { error: t.error } : { path: t.path, source: t.source, version: t.version };
  return {
    node: report.node,
    platform: report.platform,
    tensorflow:
      'error' in report.tensorflow
        ? { error: report.tensorflow.error }
        : { backend: report.tensorflow.backend, tfjsVersion: report.tensorflow.tfjsVersion },
    ffmpeg: tool(report.ffmpeg),
    ffprobe: tool(report.ffprobe),
    electron: report.electron,
  };
}

export function createHost(options: HostOptions): Host {
  const { dataDir, launchEngine, cases, emit, shell } = options;
  const scans = new ScanJobs(launchEngine, cases, emit);
  const allowed = new Set<string>();
  const studio = new SwapJobs({
    dataDir,
    launch: launchEngine,
    emit,
    mediaUrl: shell.mediaUrl,
    allowMedia: (path) => allowed.add(path),
  });
  const batches = new BatchJobs(dataDir, launchEngine, emit);
  // The face pictures of the case on screen: its probe and the detector's crop geometry, read once.
  let facePictures: { caseId: string; pictures: Promise<FacePictures> } | null = null;
  const picturesOf = async (caseId: string) => {
    if (facePictures?.caseId !== caseId) {
      const pictures = cases.getCase(caseId).then(({ scan }) => FacePictures.open(scan));
      pictures.catch(() => (facePictures = null));
      facePictures = { caseId, pictures };
    }
    return facePictures.pictures;
  };
  const isAllowedMedia = async (path: string) =>
    allowed.has(path) || studio.owns(path) || (await cases.knownPaths()).includes(path);

  const handlers: RequestHandlers = {
    getAppInfo: async () => ({ ...shell.info, dataDir }),
    getDoctorReport: async () =>
      engineInfo((await askEngine(launchEngine, { type: 'doctor' }, 'doctor-done')).report),
    getSettings: () => readSettings(dataDir),
    saveSettings: (settings) => writeSettings(dataDir, settings),
    chooseVideo: async () => {
      const chosen = await shell.chooseVideo();
      if (chosen) allowed.add(chosen.path);
      return chosen;
    },
    startScan: async ({ path }) => {
      const info = await stat(path).catch(() => null);
      if (!info) throw new UnmaskError('inputNotFound', `File not found: ${path}`);
      if (info.isDirectory()) throw new UnmaskError('inputIsDirectory', `${path} is a folder, not a video.`);
      allowed.add(path);
      return { jobId: scans.start(path, await readSettings(dataDir)) };
    },
    cancelScan: async ({ jobId }) => ({ cancelled: scans.cancel(jobId) }),
    listCases: () => cases.listCases(),
    getCase: ({ caseId }) => cases.getCase(caseId),
    deleteCase: async ({ caseId }) => {
      const deleted = await cases.deleteCase(caseId);
      if (deleted) emit('cases-changed', { caseIds: [caseId] });
      return { deleted };
    },
    getMediaUrl: async ({ path }) => {
      if (!(await isAllowedMedia(path)))
        throw new UnmaskError('inputNotFound', 'That file was not opened here.');
      return { url: shell.mediaUrl(path) };
    },
    getFacePicture: async ({ caseId, trackId, frameIndex }) => {
      const picture = await (await picturesOf(caseId)).draw(trackId, frameIndex, 224);
      if (!picture)
        throw new UnmaskError('inputNotFound', `Person ${trackId} is not in sampled frame ${frameIndex}.`);
      return {
        url: picture.url,
        caption: picture.range
          ? describeMapRange(picture.range)
          : 'no blend-boundary map: this face scored under the inconclusive band',
      };
    },
    exportReport: async ({ caseId, format }) => {
      const source = await cases.reportSource(caseId);
      const out = join(dataDir, 'reports', caseId, reportFileName(source.scan.input.fileName, format));
      if (format === 'pdf' && shell.printPdf) {
        const { report, html } = await reportHtmlFor(source);
        await shell.printPdf(html, pdfPageDecorations(report.caseId, report.input.sha256), out);
      } else {
        await exportReport(source, format, out);
      }
      return { path: out };
    },
    revealPath: async ({ path }) => ({ revealed: await shell.revealPath(dirname(path)) }),
    listSwapProjects: () => studio.listProjects(),
    startTraining: (request) => studio.startTraining(request),
    stopTraining: async ({ jobId }) => ({ stopping: studio.stopTraining(jobId) }),
    chooseOutputPath: ({ suggestedName }) => studio.chooseOutputPath(suggestedName, shell.chooseSavePath),
    startRender: (request) => studio.startRender(request),
    cancelRender: async ({ jobId }) => ({ cancelled: studio.cancelRender(jobId) }),
    chooseFolder: async () => {
      const path = shell.chooseFolder ? await shell.chooseFolder() : null;
      return path ? { path } : null;
    },
    startBatch: async (request) => batches.start(request, await readSettings(dataDir)),
    cancelBatch: async ({ jobId }) => ({ stopping: batches.stop(jobId) }),
  };

  return {
    handlers,
    isAllowedMedia,
    allowMedia: (path) => allowed.add(path),
    close: () => {
      scans.stopAll();
      studio.stopAll();
      batches.stopAll();
      cases.close();
    },
  };
}
