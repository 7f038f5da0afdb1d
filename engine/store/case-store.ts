/**
 * The case library: every scan is a case, kept in SQLite (better-sqlite3, WAL mode) in the user's data folder.
 *
 * A scan is written in one transaction, so a process killed at any moment leaves either the whole case or
 * nothing. Rows marked `incomplete` can only come from a writer that died between statements of an older or
 * foreign writer; they are never listed and are removed when the library is opened.
 *
 * The case id is derived from what makes a scan reproducible (input bytes, settings, engine and model
 * versions), so saving the same scan twice updates one case instead of filing a duplicate.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readAiLabel } from '../scan/ai-label.ts';
import { parseScanResult, type ScanRecord, type ScanResult } from '../scan/scan-result.ts';
import { UnmaskError } from '../util/errors.ts';
import { sha256Bytes } from '../util/files.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.ts';

export const CASE_DATABASE_FILE = 'cases.sqlite';

export interface Provenance {
  /** Whether C2PA content credentials were found, and what they say when they could be read. */
  contentCredentials?: { present: boolean; summary?: string };
}

export interface CaseSummary {
  id: string;
  createdAt: string;
  updatedAt: string;
  inputPath: string;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  verdict: { label: ScanResult['verdict']['label']; score: number | null; strength: string | null };
  sampledFrames: number;
  tracks: number;
  notes: string;
}

export interface StoredCase extends CaseSummary {
  scan: ScanResult;
  provenance: Provenance;
}

export interface GetCaseOptions {
  /**
   * Read each face's 468 mesh points back (default true). The app and reports use none of them, and for a long
   * scan they are most of its size, so those readers leave them out (`landmarks: []`).
   */
  landmarks?: boolean;
}

export interface SaveScanOptions {
  notes?: string;
  provenance?: Provenance;
  /** Time recorded for a new case (ISO 8601); defaults to now. */
  now?: string;
}

/** The part of a scan that decides its result: same bytes + same settings + same engine → same case id. */
export function caseIdFor(scan: Pick<ScanResult, 'input' | 'settings' | 'engine'>): string {
  const key = JSON.stringify({
    sha256: scan.input.sha256,
    settings: scan.settings,
    engine: { version: scan.engine.version, models: scan.engine.models },
  });
  return `case-${sha256Bytes(key).slice(0, 12)}`;
}

/** A case id as people read it: reports say "Case 0123456789ab", not "Case case-0123456789ab". */
export function caseNumber(caseId: string): string {
  return caseId.replace(/^case-/, '');
}

/** The case id a person typed: the full id, or the number a report shows. */
export function caseIdFromText(text: string): string {
  return /^[0-9a-f]{12}$/.test(text) ? `case-${text}` : text;
}

interface CaseRow {
  id: string;
  created_at: string;
  updated_at: string;
  input_path: string;
  file_name: string;
  size_bytes: number;
  sha256: string;
  verdict_label: ScanResult['verdict']['label'];
  verdict_score: number | null;
  verdict_strength: string | null;
  summary_json: string;
  notes: string;
}

const FACE_COLUMNS_WITHOUT_LANDMARKS =
  'frame_index, position, track_id, box_x, box_y, box_width, box_height, detector_score, mesh_score, status, ' +
  'probability, logit, strength, caveats_json, keypoints_json, pose_json';

const SUMMARY_COLUMNS =
  'id, created_at, updated_at, input_path, file_name, size_bytes, sha256, verdict_label, verdict_score, verdict_strength, summary_json, notes';

function toSummary(row: CaseRow): CaseSummary {
  const summary = JSON.parse(row.summary_json) as ScanResult['summary'];
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    inputPath: row.input_path,
    fileName: row.file_name,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    verdict: { label: row.verdict_label, score: row.verdict_score, strength: row.verdict_strength },
    sampledFrames: summary.sampledFrames,
    tracks: summary.tracks,
    notes: row.notes,
  };
}

export class CaseStore {
  readonly path: string;
  private readonly db: Database.Database;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
  }

  /** Opens (creating if needed) the library in `dataDir`, migrates it forward and removes incomplete cases. */
  static open(dataDir: string): CaseStore {
    const path = join(dataDir, CASE_DATABASE_FILE);
    let db: Database.Database;
    try {
      mkdirSync(dataDir, { recursive: true });
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
    } catch (error) {
      throw new UnmaskError('storeUnreadable', `Cannot open the case library ${path}: ${reason(error)}`, {
        cause: error,
      });
    }
    try {
      migrate(db, path);
      db.prepare(`DELETE FROM cases WHERE status = 'incomplete'`).run();
    } catch (error) {
      db.close();
      if (error instanceof UnmaskError) throw error;
      throw new UnmaskError('storeUnreadable', `The case library ${path} is damaged: ${reason(error)}`, {
        cause: error,
      });
    }
    return new CaseStore(path, db);
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /**
   * Files a scan as a case in one transaction. Saving the same scan again updates the case, keeping its notes.
   * The frames are read one at a time (a streamed scan's FrameLog, or an array), so a long scan is filed in
   * flat memory.
   */
  saveScan(scan: ScanRecord, options: SaveScanOptions = {}): { caseId: string; created: boolean } {
    const caseId = caseIdFor(scan);
    const now = options.now ?? new Date().toISOString();
    const write = this.db.transaction(() => {
      const existing = this.db.prepare('SELECT created_at, notes FROM cases WHERE id = ?').get(caseId) as
        { created_at: string; notes: string } | undefined;
      if (existing) this.db.prepare('DELETE FROM cases WHERE id = ?').run(caseId);
      this.insertCase(caseId, scan, {
        createdAt: existing?.created_at ?? now,
        updatedAt: now,
        notes: options.notes ?? existing?.notes ?? '',
        provenance: options.provenance ?? {},
      });
      return !existing;
    });
    return { caseId, created: write.immediate() };
  }

  listCases(options: { limit?: number } = {}): CaseSummary[] {
    const rows = this.db
      .prepare(
        `SELECT ${SUMMARY_COLUMNS} FROM cases WHERE status = 'complete' ORDER BY created_at DESC, id LIMIT ?`,
      )
      .all(options.limit ?? -1) as CaseRow[];
    return rows.map(toSummary);
  }

  findCasesBySha256(sha256: string): CaseSummary[] {
    const rows = this.db
      .prepare(
        `SELECT ${SUMMARY_COLUMNS} FROM cases WHERE status = 'complete' AND sha256 = ? ORDER BY created_at DESC`,
      )
      .all(sha256) as CaseRow[];
    return rows.map(toSummary);
  }

  /** The whole case, its scan rebuilt from the tables and validated against the scan schema. */
  getCase(id: string, options: GetCaseOptions = {}): StoredCase | undefined {
    const row = this.db
      .prepare(`SELECT * FROM cases WHERE id = ? AND status = 'complete'`)
      .get(caseIdFromText(id)) as (CaseRow & Record<string, unknown>) | undefined;
    if (!row) return undefined;
    return {
      ...toSummary(row),
      scan: this.rebuildScan(row, options.landmarks ?? true),
      provenance: storedProvenance(row['provenance_json'] as string),
    };
  }

  /** Like getCase, but a missing case is a user error with its own exit code. */
  requireCase(id: string, options: GetCaseOptions = {}): StoredCase {
    const found = this.getCase(id, options);
    if (!found) throw new UnmaskError('caseNotFound', `No case ${id} in ${this.path}.`);
    return found;
  }

  setNotes(id: string, notes: string): void {
    const changed = this.db
      .prepare('UPDATE cases SET notes = ?, updated_at = ? WHERE id = ?')
      .run(notes, new Date().toISOString(), caseIdFromText(id)).changes;
    if (!changed) throw new UnmaskError('caseNotFound', `No case ${id} in ${this.path}.`);
  }

  deleteCase(id: string): boolean {
    return this.db.prepare('DELETE FROM cases WHERE id = ?').run(caseIdFromText(id)).changes > 0;
  }

  close(): void {
    this.db.close();
  }

  private insertCase(
    caseId: string,
    scan: ScanRecord,
    meta: { createdAt: string; updatedAt: string; notes: string; provenance: Provenance },
  ): void {
    const { db } = this;
    db.prepare(
      `INSERT INTO cases (id, status, created_at, updated_at, input_path, file_name, size_bytes, sha256,
        scan_format_version, probe_json, settings_json, engine_json, verdict_label, verdict_score,
        verdict_strength, verdict_json, summary_json, run_json, notes, provenance_json, damage_json)
       VALUES (?, 'incomplete', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      caseId,
      meta.createdAt,
      meta.updatedAt,
      scan.input.path,
      scan.input.fileName,
      scan.input.sizeBytes,
      scan.input.sha256,
      scan.formatVersion,
      JSON.stringify(scan.probe),
      JSON.stringify(scan.settings),
      JSON.stringify(scan.engine),
      scan.verdict.label,
      scan.verdict.score,
      scan.verdict.strength,
      JSON.stringify(scan.verdict),
      JSON.stringify(scan.summary),
      JSON.stringify(scan.run),
      meta.notes,
      JSON.stringify(meta.provenance),
      scan.damage ? JSON.stringify(scan.damage) : null,
    );
    const insertModel = db.prepare('INSERT INTO case_models VALUES (?, ?, ?, ?, ?)');
    scan.engine.models.forEach((model, position) =>
      insertModel.run(caseId, position, model.name, model.file, model.sha256),
    );
    const insertTrack = db.prepare('INSERT INTO tracks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    scan.tracks.forEach((track, position) =>
      insertTrack.run(
        caseId,
        position,
        track.id,
        track.firstTimeSec,
        track.lastTimeSec,
        track.frames,
        track.scoredFrames,
        track.score,
        track.label,
        track.strength,
        track.decisive ? 1 : 0,
        JSON.stringify(track.smoothed),
      ),
    );
    const insertFrame = db.prepare('INSERT INTO frames VALUES (?, ?, ?)');
    const insertFace = db.prepare(
      'INSERT INTO faces VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertHeatmap = db.prepare('INSERT INTO heatmaps VALUES (?, ?, ?, ?)');
    for (const frame of scan.frames) {
      insertFrame.run(caseId, frame.index, frame.timeSec);
      frame.faces.forEach((face, position) => {
        const m = face.manipulation;
        insertFace.run(
          caseId,
          frame.index,
          position,
          face.trackId,
          face.box.x,
          face.box.y,
          face.box.width,
          face.box.height,
          face.detectorScore,
          face.meshScore,
          m.status,
          m.probability,
          m.logit,
          m.strength,
          JSON.stringify(m.caveats),
          JSON.stringify(face.keypoints),
          JSON.stringify(face.landmarks),
          face.pose ? JSON.stringify(face.pose) : null,
        );
        if (m.heatmap) {
          const values = Float64Array.from(m.heatmap);
          insertHeatmap.run(caseId, frame.index, position, Buffer.from(values.buffer));
        }
      });
    }
    db.prepare(`UPDATE cases SET status = 'complete' WHERE id = ?`).run(caseId);
  }

  private rebuildScan(row: Record<string, unknown>, landmarks: boolean): ScanResult {
    const caseId = row['id'] as string;
    const { db } = this;
    const models = db
      .prepare('SELECT name, file, sha256 FROM case_models WHERE case_id = ? ORDER BY position')
      .all(caseId);
    const engine = { ...(JSON.parse(row['engine_json'] as string) as object), models };
    const tracks = (
      db.prepare('SELECT * FROM tracks WHERE case_id = ? ORDER BY position').all(caseId) as Record<
        string,
        unknown
      >[]
    ).map((t) => ({
      id: t['track_id'],
      firstTimeSec: t['first_time_sec'],
      lastTimeSec: t['last_time_sec'],
      frames: t['frames'],
      scoredFrames: t['scored_frames'],
      score: t['score'],
      label: t['label'],
      strength: t['strength'],
      decisive: t['decisive'] === 1,
      smoothed: JSON.parse(t['smoothed_json'] as string) as unknown,
    }));
    const heatmaps = new Map<string, number[]>();
    for (const h of db
      .prepare('SELECT frame_index, position, values_f64 FROM heatmaps WHERE case_id = ?')
      .all(caseId) as { frame_index: number; position: number; values_f64: Buffer }[]) {
      const bytes = h.values_f64;
      const values = new Float64Array(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      );
      heatmaps.set(`${h.frame_index}:${h.position}`, Array.from(values));
    }
    const facesByFrame = new Map<number, unknown[]>();
    // Row by row, so the raw rows of a long scan are never all in memory beside the faces parsed from them.
    const columns = landmarks ? '*' : FACE_COLUMNS_WITHOUT_LANDMARKS;
    for (const f of db
      .prepare(`SELECT ${columns} FROM faces WHERE case_id = ? ORDER BY frame_index, position`)
      .iterate(caseId) as IterableIterator<Record<string, unknown>>) {
      const frameIndex = f['frame_index'] as number;
      const face = {
        trackId: f['track_id'],
        box: { x: f['box_x'], y: f['box_y'], width: f['box_width'], height: f['box_height'] },
        detectorScore: f['detector_score'],
        meshScore: f['mesh_score'],
        keypoints: JSON.parse(f['keypoints_json'] as string) as unknown,
        landmarks: landmarks ? (JSON.parse(f['landmarks_json'] as string) as unknown) : [],
        pose: f['pose_json'] ? (JSON.parse(f['pose_json'] as string) as unknown) : null,
        manipulation: {
          status: f['status'],
          probability: f['probability'],
          logit: f['logit'],
          strength: f['strength'],
          caveats: JSON.parse(f['caveats_json'] as string) as unknown,
          heatmap: heatmaps.get(`${frameIndex}:${f['position'] as number}`) ?? null,
        },
      };
      const list = facesByFrame.get(frameIndex) ?? [];
      list.push(face);
      facesByFrame.set(frameIndex, list);
    }
    const frames = (
      db
        .prepare('SELECT frame_index, time_sec FROM frames WHERE case_id = ? ORDER BY frame_index')
        .all(caseId) as {
        frame_index: number;
        time_sec: number;
      }[]
    ).map((f) => ({
      index: f.frame_index,
      timeSec: f.time_sec,
      faces: facesByFrame.get(f.frame_index) ?? [],
    }));
    const probe = JSON.parse(row['probe_json'] as string) as unknown;
    // The AI label is a pure function of the probe's tags: derive it, no column needed.
    const aiLabel = readAiLabel(probe);
    return parseScanResult({
      format: 'unmask.scan',
      formatVersion: row['scan_format_version'],
      input: {
        path: row['input_path'],
        fileName: row['file_name'],
        sizeBytes: row['size_bytes'],
        sha256: row['sha256'],
      },
      probe,
      settings: JSON.parse(row['settings_json'] as string) as unknown,
      engine,
      ...(aiLabel && { aiLabel }),
      ...(row['damage_json'] !== null && { damage: JSON.parse(row['damage_json'] as string) as unknown }),
      frames,
      tracks,
      verdict: JSON.parse(row['verdict_json'] as string) as unknown,
      summary: JSON.parse(row['summary_json'] as string) as unknown,
      run: JSON.parse(row['run_json'] as string) as unknown,
    });
  }
}

/**
 * A case's stored provenance. Cases saved before AI tags were read from the probe (engine/scan/ai-label.ts) also
 * stored `aiGeneratedTags` found by an older reader; they are dropped, so every case reads its tags one way.
 */
function storedProvenance(json: string): Provenance {
  const { contentCredentials } = JSON.parse(json) as Provenance;
  return contentCredentials ? { contentCredentials } : {};
}

export function openCaseStore(dataDir: string): CaseStore {
  return CaseStore.open(dataDir);
}

function migrate(db: Database.Database, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_SCHEMA_VERSION) {
    throw new UnmaskError(
      'storeTooNew',
      `The case library ${path} was written by a newer Unmask (schema ${current}; this version reads up to ${LATEST_SCHEMA_VERSION}). Update Unmask, or pass another --data-dir.`,
    );
  }
  const pending = MIGRATIONS.filter((m) => m.version > current);
  if (pending.length === 0) return;
  db.transaction(() => {
    for (const migration of pending) {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }
  }).immediate();
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
