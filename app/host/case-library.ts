/**
 * Where finished scans are kept, as the host sees it: the SQLite case library of engine/store, behind the
 * small async interface the request handlers need (so a test can stand in for it).
 */
import { openCaseStore, type CaseSummary as StoredSummary } from '../../engine/store/case-store.ts';
import { provenanceOfScan } from '../../engine/store/provenance.ts';
import { UnmaskError } from '../../engine/util/errors.ts';
import type { ScanRecord } from '../../engine/scan/scan-result.ts';
import type { CaseDetail, CaseSummary } from '../common/contract.ts';

export interface CaseLibrary {
  /** Files a scan; its frames are read one at a time (from the engine's frame log). */
  saveScan(scan: ScanRecord): Promise<string>;
  listCases(): Promise<CaseSummary[]>;
  getCase(caseId: string): Promise<CaseDetail>;
  deleteCase(caseId: string): Promise<boolean>;
  /** Files the UI may play: every case's input. */
  knownPaths(): Promise<string[]>;
  close(): void;
}

function toSummary(stored: StoredSummary): CaseSummary {
  return {
    caseId: stored.id,
    fileName: stored.fileName,
    path: stored.inputPath,
    sha256: stored.sha256,
    createdAt: stored.updatedAt,
    verdictLabel: stored.verdict.label,
    verdictScore: stored.verdict.score,
    sampledFrames: stored.sampledFrames,
    tracks: stored.tracks,
  };
}

/** The case library in `dataDir` (cases.sqlite), shared with `unmask scan` and `unmask cases`. */
export function openCaseLibrary(dataDir: string): CaseLibrary {
  const store = openCaseStore(dataDir);
  return {
    async saveScan(scan) {
      return store.saveScan(scan, { provenance: await provenanceOfScan(scan) }).caseId;
    },
    async listCases() {
      return store.listCases().map(toSummary);
    },
    async getCase(caseId) {
      // The UI draws no mesh points; leaving them out keeps a long scan's case small enough to send.
      const found = store.getCase(caseId, { landmarks: false });
      if (!found) throw new UnmaskError('inputNotFound', `No case ${caseId} in the library.`);
      return { summary: toSummary(found), scan: found.scan, notes: found.notes };
    },
    async deleteCase(caseId) {
      return store.deleteCase(caseId);
    },
    async knownPaths() {
      return store.listCases().map((c) => c.inputPath);
    },
    close() {
      store.close();
    },
  };
}
