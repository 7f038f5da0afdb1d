/**
 * The one reader of what a file's tags say about AI generation, used by scans (`aiLabel`), the case library, the
 * CLI and reports alike. Pure: takes ffprobe's tags (container, then the video and audio streams).
 *
 * Each tag that speaks about AI generation says one of three things:
 * - `ai-generated`: a tag named for it (`ai_generated`, `synthetic`, …) with a yes (`true`, `yes`, `1`, …), or an
 *   IPTC digital source type for generated media (`trainedAlgorithmicMedia`, `compositeSynthetic`, …) under any name;
 * - `not-ai-generated`: a tag named for it with a no (`false`, `no`, `n`, `0`, `none`, empty);
 * - `unclear`: a tag named for it with any other value (`ai_generated=maybe`), or free text elsewhere that
 *   mentions it (`comment=deepfake demo`). Free text can say "not a deepfake" as easily, so it declares nothing.
 *
 * Unmask's swap studio writes `ai_generated=true` with `unmask_generator` and `unmask_consent` on every render.
 */
import type { AiLabel, AiTag } from './scan-result.ts';

export type { AiTag };
export type AiTagMeaning = AiTag['says'];

/** How each meaning reads in a sentence: "ai_generated=maybe (unclear)". */
export const AI_TAG_TEXT: Record<AiTagMeaning, string> = {
  'ai-generated': 'declares it AI-generated',
  'not-ai-generated': 'declares it not AI-generated',
  unclear: 'mentions AI generation without saying yes or no',
};

/** Tag names that are about AI generation (matched anywhere in the name, case-insensitively). */
const AI_TAG_NAME = /ai[-_ ]?generated|synthetic|deepfake/i;
/** IPTC digital source types for generated media, e.g. http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia. */
const GENERATED_SOURCE_TYPE = /trainedAlgorithmicMedia|compositeSynthetic|algorithmicMedia/i;
const YES = /^(true|yes|y|1|on)$/i;
const NO = /^(false|no|n|0|off|none|)$/i;

/** What one tag says about AI generation, or null when it says nothing about it. */
export function classifyAiTag(name: string, value: string): AiTagMeaning | null {
  const text = value.trim();
  if (AI_TAG_NAME.test(name)) {
    if (YES.test(text) || GENERATED_SOURCE_TYPE.test(text)) return 'ai-generated';
    if (NO.test(text)) return 'not-ai-generated';
    return 'unclear';
  }
  if (GENERATED_SOURCE_TYPE.test(text)) return 'ai-generated';
  if (AI_TAG_NAME.test(text)) return 'unclear';
  return null;
}

interface TaggedProbe {
  tags?: Record<string, string>;
  video?: { tags?: Record<string, string> };
  audio?: { tags?: Record<string, string> } | null;
}

/** Every tag (container, then video and audio streams) that speaks about AI generation, in that order. */
export function readAiTags(probe: unknown): AiTag[] {
  const tagged = (probe ?? {}) as TaggedProbe;
  const sections: Array<[string, Record<string, string> | undefined]> = [
    ['', tagged.tags],
    ['video.', tagged.video?.tags],
    ['audio.', tagged.audio?.tags],
  ];
  return sections.flatMap(([prefix, tags]) =>
    Object.entries(tags ?? {}).flatMap(([name, value]) => {
      const says = classifyAiTag(name, value);
      return says ? [{ tag: prefix + name, value, says }] : [];
    }),
  );
}

/** Whether the file declares itself AI-generated: some tag says so. */
export const declaresAiGenerated = (tags: readonly AiTag[]) => tags.some((t) => t.says === 'ai-generated');

/**
 * The scan's `aiLabel`: present when any tag speaks about AI generation. Its `tag` and `value` are the first
 * that declares the file AI-generated, else the first that declares it is not, else the first unclear one.
 */
export function readAiLabel(probe: unknown): AiLabel | undefined {
  const tags = readAiTags(probe);
  const main =
    tags.find((t) => t.says === 'ai-generated') ?? tags.find((t) => t.says === 'not-ai-generated') ?? tags[0];
  if (!main) return undefined;
  const container = (probe as TaggedProbe | undefined)?.tags ?? {};
  const lower = new Map(Object.entries(container).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    aiGenerated: declaresAiGenerated(tags),
    tag: main.tag,
    value: main.value,
    generator: lower.get('unmask_generator') ?? null,
    consent: lower.get('unmask_consent') ?? null,
    tags,
  };
}
