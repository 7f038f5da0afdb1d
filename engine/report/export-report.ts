/**
 * Writes a case or a scan file as a report: JSON (the versioned report format), HTML (self-contained) or PDF
 * (that HTML printed by Chromium). The edge where reports meet files; building and rendering are pure.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ZodError } from 'zod';
import { parseScanResult, type ScanResult } from '../scan/scan-result.ts';
import { openCaseStore, type Provenance } from '../store/case-store.ts';
import { provenanceOfScan } from '../store/provenance.ts';
import { UnmaskError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/files.ts';
import { buildReport, type ReportAnalyst } from './build-report.ts';
import { pdfPageDecorations, writeReportPdf } from './pdf.ts';
import { parseReport, type Report } from './report-format.ts';
import { collectReportImages } from './report-images.ts';
import { renderReportHtml } from './render-html.ts';

export const REPORT_FORMATS = ['json', 'html', 'pdf'] as const;
export type ReportFormatName = (typeof REPORT_FORMATS)[number];

export interface ReportSource {
  scan: ScanResult;
  caseId?: string;
  notes?: string;
  provenance?: Provenance;
  analyst?: ReportAnalyst;
}

/** A path to a scan JSON file, or a case id looked up in the library in `dataDir`. */
export async function loadReportSource(reference: string, dataDir: string): Promise<ReportSource> {
  if (existsSync(reference) && statSync(reference).isFile()) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(reference, 'utf8'));
    } catch (error) {
      throw new UnmaskError('usage', `${reference} is not a JSON file: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      const scan = parseScanResult(json);
      return { scan, provenance: await provenanceOfScan(scan) };
    } catch (error) {
      if (error instanceof ZodError) {
        const first = error.issues[0];
        throw new UnmaskError(
          'usage',
          `${reference} is not an Unmask scan file (${first ? `${first.path.join('.') || 'root'}: ${first.message}` : 'invalid'}).`,
          { cause: error },
        );
      }
      throw error;
    }
  }
  return caseReportSource(reference, dataDir);
}

/** A case of the library in `dataDir`, by id only (never read as a file path). */
export function caseReportSource(caseId: string, dataDir: string): ReportSource {
  const store = openCaseStore(dataDir);
  try {
    // Reports draw no mesh points; leaving them out keeps a long scan's case small in memory.
    const found = store.requireCase(caseId, { landmarks: false });
    return { scan: found.scan, caseId: found.id, notes: found.notes, provenance: found.provenance };
  } finally {
    store.close();
  }
}

/** `clip.mp4` → `clip.unmask-report.pdf`: the name the app gives a case's report. */
export function reportFileName(fileName: string, format: ReportFormatName): string {
  const stem = fileName.replace(/\.[^.]+$/, '').replace(/[^\p{L}\p{N}._-]+/gu, '_');
  return `${stem}.unmask-report.${format}`;
}

export function reportFor(source: ReportSource, generatedAt = new Date().toISOString()): Report {
  return parseReport(
    buildReport(source.scan, {
      generatedAt,
      ...(source.caseId !== undefined && { caseId: source.caseId }),
      ...(source.notes !== undefined && { notes: source.notes }),
      ...(source.provenance !== undefined && { provenance: source.provenance }),
      ...(source.analyst !== undefined && { analyst: source.analyst }),
    }),
  );
}

/** The report and its self-contained HTML, with face pictures re-decoded from the input when it is unchanged. */
export async function reportHtmlFor(
  source: ReportSource,
  generatedAt?: string,
): Promise<{ report: Report; html: string }> {
  const report = reportFor(source, generatedAt);
  const images = await collectReportImages(source.scan, report);
  return { report, html: renderReportHtml(report, images) };
}

export async function exportReport(
  source: ReportSource,
  format: ReportFormatName,
  outPath: string,
): Promise<Report> {
  if (format === 'json') {
    const report = reportFor(source);
    await writeFileAtomic(outPath, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  }
  const { report, html } = await reportHtmlFor(source);
  if (format === 'html') await writeFileAtomic(outPath, html);
  else await writeReportPdf(html, pdfPageDecorations(report), outPath);
  return report;
}
