/**
 * The host's side of the contract: one handler per request channel, shared by Electron main and
 * `unmask serve`. What differs between the two shells (dialogs, media URLs, PDF printing, revealing a folder)
 * comes in as `ShellServices`.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UnmaskError } from '../../engine/util/errors.ts';
import { removeStalePartials } from '../../engine/util/files.ts';
import type { PdfPageDecorations } from '../../engine/report/pdf.ts';
import type { DoctorReport } from '../../engine/runtime/doctor.ts';
import type { AppInfo, EngineInfo, RequestHandlers } from '../common/contract.ts';
import type { CaseLibrary } from './case-library.ts';
import type { EngineLauncher } from './engine-launcher.ts';
import { BatchJobs } from './batch-jobs.ts';
import { askEngine, type EmitEvent } from './engine-jobs.ts';
import { FacePictureEngine } from './face-picture-engine.ts';
import { folderToReveal } from './folder-to-reveal.ts';
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
  /** A URL the browser downloads a written report from; absent (Electron), the report stays where it was saved. */
  downloadUrl?(path: string): string;
  /** Opens a folder in the file manager; only called for folders the app wrote (folder-to-reveal.ts). */
  openFolder(dir: string): Promise<boolean>;
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
  /**
   * True when the renderer may read this file: a video the engine probed in a scan, a case's input, or a file the
   * studio wrote. Opening, uploading or naming a path is not enough.
   */
  isAllowedMedia(path: string): Promise<boolean>;
  close(): void;
}

/** The doctor report without the per-candidate attempts: what the Settings screen shows. */
export function engineInfo(report: DoctorReport): EngineInfo {
  const tool = (t: DoctorReport['ffmpeg']) =>
    'error' in t
      ? { error: t.error }
      : { path: t.path, source: t.source, version: t.version, warning: t.warning };
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

async function removeStaleReportPartials(reportsDir: string): Promise<void> {
  const folders = await readdir(reportsDir, { withFileTypes: true }).catch(() => []);
  for (const folder of folders)
    if (folder.isDirectory()) await removeStalePartials(join(reportsDir, folder.name)).catch(() => undefined);
}

export function createHost(options: HostOptions): Host {
  const { dataDir, launchEngine, cases, emit, shell } = options;
  /** Files the renderer may play besides cases and studio files: videos the engine probed in this session. */
  const allowed = new Set<string>();
  const scans = new ScanJobs(launchEngine, cases, emit, (path) => allowed.add(path));
  const studio = new SwapJobs({
    dataDir,
    launch: launchEngine,
    emit,
    mediaUrl: shell.mediaUrl,
    allowMedia: (path) => allowed.add(path),
  });
  const batches = new BatchJobs(dataDir, launchEngine, emit);
  // A report export killed mid-write (the app quit, the machine died) leaves a temporary file beside the report.
  void removeStaleReportPartials(join(dataDir, 'reports'));
  const facePictures = new FacePictureEngine(launchEngine, dataDir);
  const isAllowedMedia = async (path: string) =>
    allowed.has(path) || studio.owns(path) || (await cases.knownPaths()).includes(path);

  const handlers: RequestHandlers = {
    getAppInfo: async () => ({ ...shell.info, dataDir }),
    getDoctorReport: async () =>
      engineInfo((await askEngine(launchEngine, { type: 'doctor' }, 'doctor-done')).report),
    getSettings: () => readSettings(dataDir),
    saveSettings: (settings) => writeSettings(dataDir, settings),
    chooseVideo: () => shell.chooseVideo(),
    startScan: async ({ path }) => {
      const info = await stat(path).catch(() => null);
      if (!info) throw new UnmaskError('inputNotFound', `File not found: ${basename(path)}`);
      if (info.isDirectory())
        throw new UnmaskError('inputIsDirectory', `${basename(path)} is a folder, not a video.`);
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
    getFacePicture: (request) => facePictures.draw(request),
    exportReport: async ({ caseId, format }) => {
      // Rendered in an engine process like every other job: a hostile input can crash that job, not the host.
      const shellPrints = format === 'pdf' && shell.printPdf !== undefined;
      const done = await askEngine(
        launchEngine,
        { type: 'report', dataDir, caseId, format, reportsDir: join(dataDir, 'reports'), shellPrints },
        'report-done',
      );
      if (done.print) await shell.printPdf!(done.print.html, done.print.decorations, done.path);
      return {
        path: done.path,
        fileName: basename(done.path),
        downloadUrl: shell.downloadUrl?.(done.path) ?? null,
      };
    },
    revealOutput: async (request) => {
      const folder = folderToReveal(request, {
        reportsDir: join(dataDir, 'reports'),
        renderOutput: (jobId) => studio.renderOutput(jobId),
      });
      if (!folder || !(await stat(folder).catch(() => null))?.isDirectory())
        throw new UnmaskError('inputNotFound', 'Nothing has been saved there yet.');
      return { revealed: await shell.openFolder(folder) };
    },
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
    close: () => {
      scans.stopAll();
      studio.stopAll();
      batches.stopAll();
      facePictures.close();
      cases.close();
    },
  };
}
