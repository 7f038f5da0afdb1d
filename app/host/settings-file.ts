/** The user's settings, one JSON file in the data folder, validated on read and written atomically. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../engine/util/files.ts';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from '../common/contract.ts';

export function settingsPath(dataDir: string): string {
  return join(dataDir, 'settings.json');
}

/** Reads the settings; a missing or damaged file gives the defaults (damaged fields are not half-applied). */
export async function readSettings(dataDir: string): Promise<Settings> {
  let text: string;
  try {
    text = await readFile(settingsPath(dataDir), 'utf8');
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
  try {
    const parsed = settingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...(JSON.parse(text) as object) });
    return parsed.success ? parsed.data : { ...DEFAULT_SETTINGS };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export async function writeSettings(dataDir: string, settings: Settings): Promise<Settings> {
  const valid = settingsSchema.parse(settings);
  await writeFileAtomic(settingsPath(dataDir), `${JSON.stringify(valid, null, 2)}\n`);
  return valid;
}
