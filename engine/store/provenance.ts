/**
 * Provenance a file declares about itself: container tags that mark it AI-generated (as Unmask's own swap
 * engine writes, or IPTC's `trainedAlgorithmicMedia` digital source type). Pure: reads the probe's tags.
 */
import type { Provenance } from './case-store.ts';
import { detectContentCredentials } from './content-credentials.ts';

const AI_GENERATED_PATTERN =
  /ai[-_ ]?generated|synthetic|trainedAlgorithmicMedia|compositeSynthetic|deepfake/i;

/** A tag such as `ai_generated=false` declares the opposite. */
const NEGATIVE_VALUE = /^(false|no|0|none|)$/i;

interface TaggedProbe {
  tags?: Record<string, string>;
  video?: { tags?: Record<string, string> };
  audio?: { tags?: Record<string, string> } | null;
}

/** Tags (container, then video and audio streams) whose name or value declares synthetic content. */
export function aiGeneratedTags(probe: unknown): Record<string, string> {
  const tagged = (probe ?? {}) as TaggedProbe;
  const found: Record<string, string> = {};
  const sections: Array<[string, Record<string, string> | undefined]> = [
    ['', tagged.tags],
    ['video.', tagged.video?.tags],
    ['audio.', tagged.audio?.tags],
  ];
  for (const [prefix, tags] of sections) {
    for (const [key, value] of Object.entries(tags ?? {})) {
      const declared = AI_GENERATED_PATTERN.test(key) ? !NEGATIVE_VALUE.test(value.trim()) : false;
      if (declared || AI_GENERATED_PATTERN.test(value)) found[prefix + key] = value;
    }
  }
  return found;
}

export function provenanceFromProbe(probe: unknown): Provenance {
  const tags = aiGeneratedTags(probe);
  return Object.keys(tags).length > 0 ? { aiGeneratedTags: tags } : {};
}

/** Everything Unmask can tell about where a scanned file says it came from: tags, then content credentials. */
export async function provenanceOfScan(scan: {
  input: { path: string };
  probe: unknown;
}): Promise<Provenance> {
  const provenance = provenanceFromProbe(scan.probe);
  const contentCredentials = await detectContentCredentials(scan.input.path).catch(() => undefined);
  return contentCredentials ? { ...provenance, contentCredentials } : provenance;
}
