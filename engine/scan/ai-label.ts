/**
 * Reads a container's own declaration that its content is AI-generated — the `ai_generated` tag that Unmask's
 * swap studio writes (plus the consent statement and generator it records), and the same key written by other
 * tools under common spellings. Pure: takes ffprobe's container tags, returns the scan result's `aiLabel`.
 */
import type { AiLabel } from './scan-result.ts';

/** Tag names (compared case-insensitively) that declare AI generation. */
export const AI_LABEL_TAGS = [
  'ai_generated',
  'ai-generated',
  'aigenerated',
  'synthetic',
  'synthetic_content',
] as const;

const TRUE_VALUES = new Set(['true', 'yes', '1', 'y']);

export function readAiLabel(tags: Readonly<Record<string, string>>): AiLabel | undefined {
  const lower = new Map(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), { key: k, value: v }]));
  const found = AI_LABEL_TAGS.map((name) => lower.get(name)).find((entry) => entry !== undefined);
  if (!found) return undefined;
  return {
    aiGenerated: TRUE_VALUES.has(found.value.trim().toLowerCase()),
    tag: found.key,
    value: found.value,
    generator: lower.get('unmask_generator')?.value ?? null,
    consent: lower.get('unmask_consent')?.value ?? null,
  };
}
