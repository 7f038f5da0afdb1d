/**
 * Where finished scans are kept, as the host sees it. `summarizeScan` is shared by every implementation.
 * Until the SQLite case store (engine/store) is available, cases are kept for the session only.
 */
import { randomUUID } from 'node:crypto';
import { UnmaskError } from '../../engine/util/errors.ts';
import type { CaseDetail, CaseSummary, ScanResult } from '../common/contract.ts';

export interface CaseLibrary {
  saveScan(scan: ScanResult): Promise<string>;
  listCases(): Promise<CaseSummary[]>;
  getCase(caseId: string): Promise<CaseDetail>;
  deleteCase(caseId: string): Promise<boolean>;
  /** Files the UI may play: every case's input. */
  knownPaths(): Promise<string[]>;
  close(): void;
}

export function summarizeScan(caseId: string, scan: ScanResult, createdAt: string): CaseSummary {
  const duration = (scan.probe as { durationSec?: unknown }).durationSec;
  return {
    caseId,
    fileName: scan.input.fileName,
    path: scan.input.path,
    sha256: scan.input.sha256,
    createdAt,
    verdictLabel: scan.verdict.label,
    verdictScore: scan.verdict.score,
    durationSec: typeof duration === 'number' ? duration : null,
    faces: scan.summary.faces,
    tracks: scan.summary.tracks,
  };
}

export function createSessionCaseLibrary(): CaseLibrary {
  const cases = new Map<string, CaseDetail>();
  return {
    async saveScan(scan) {
      const caseId = randomUUID();
      cases.set(caseId, { summary: summarizeScan(caseId, scan, new Date().toISOString()), scan, notes: '' });
      return caseId;
    },
    async listCases() {
      return [...cases.values()].map((c) => c.summary).reverse();
    },
    async getCase(caseId) {
      const found = cases.get(caseId);
      if (!found) throw new UnmaskError('inputNotFound', `No case ${caseId}.`);
      return found;
    },
    async deleteCase(caseId) {
      return cases.delete(caseId);
    },
    async knownPaths() {
      return [...cases.values()].map((c) => c.scan.input.path);
    },
    close() {
      cases.clear();
    },
  };
}
