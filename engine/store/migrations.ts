/**
 * The case library's schema, as numbered migrations. `PRAGMA user_version` records how many have run; opening
 * a database runs the missing ones in one transaction, and refuses a database written by a newer Unmask.
 * Never edit a migration that has shipped: add a new one.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'cases, their models, tracks, frames and faces',
    sql: `
      CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('incomplete', 'complete')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        input_path TEXT NOT NULL,
        file_name TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        scan_format_version INTEGER NOT NULL,
        probe_json TEXT NOT NULL,
        settings_json TEXT NOT NULL,
        engine_json TEXT NOT NULL,
        verdict_label TEXT NOT NULL,
        verdict_score REAL,
        verdict_strength TEXT,
        verdict_json TEXT NOT NULL,
        summary_json TEXT NOT NULL,
        run_json TEXT NOT NULL,
        notes TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX cases_by_sha256 ON cases (sha256);
      CREATE INDEX cases_by_time ON cases (created_at);

      CREATE TABLE case_models (
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (case_id, position)
      );

      CREATE TABLE tracks (
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        track_id INTEGER NOT NULL,
        first_time_sec REAL NOT NULL,
        last_time_sec REAL NOT NULL,
        frames INTEGER NOT NULL,
        scored_frames INTEGER NOT NULL,
        score REAL,
        label TEXT NOT NULL,
        strength TEXT,
        decisive INTEGER NOT NULL,
        smoothed_json TEXT NOT NULL,
        PRIMARY KEY (case_id, position)
      );

      CREATE TABLE frames (
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        frame_index INTEGER NOT NULL,
        time_sec REAL NOT NULL,
        PRIMARY KEY (case_id, frame_index)
      );

      CREATE TABLE faces (
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        frame_index INTEGER NOT NULL,
        position INTEGER NOT NULL,
        track_id INTEGER NOT NULL,
        box_x REAL NOT NULL,
        box_y REAL NOT NULL,
        box_width REAL NOT NULL,
        box_height REAL NOT NULL,
        detector_score REAL NOT NULL,
        mesh_score REAL NOT NULL,
        status TEXT NOT NULL,
        probability REAL,
        logit REAL,
        strength TEXT,
        caveats_json TEXT NOT NULL,
        keypoints_json TEXT NOT NULL,
        landmarks_json TEXT NOT NULL,
        pose_json TEXT,
        PRIMARY KEY (case_id, frame_index, position)
      );
      CREATE INDEX faces_by_track ON faces (case_id, track_id);

      CREATE TABLE heatmaps (
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        frame_index INTEGER NOT NULL,
        position INTEGER NOT NULL,
        values_f64 BLOB NOT NULL,
        PRIMARY KEY (case_id, frame_index, position)
      );
    `,
  },
  {
    version: 2,
    description: 'provenance found in the input (AI-generated tags, content credentials)',
    sql: `ALTER TABLE cases ADD COLUMN provenance_json TEXT NOT NULL DEFAULT '{}';`,
  },
  {
    version: 3,
    description: "a damaged input's decode errors and missing time ranges (the scan's damage record)",
    sql: `ALTER TABLE cases ADD COLUMN damage_json TEXT;`,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
