/**
 * Provenance a file carries that needs the file itself: C2PA content credentials. (What its tags say about AI
 * generation is a pure function of the probe, which every scan keeps: engine/scan/ai-label.ts reads it.)
 */
import type { Provenance } from './case-store.ts';
import { detectContentCredentials } from './content-credentials.ts';

/** Content credentials embedded in the scanned file, when it is still there to look at. */
export async function provenanceOfScan(scan: { input: { path: string } }): Promise<Provenance> {
  const contentCredentials = await detectContentCredentials(scan.input.path).catch(() => undefined);
  return contentCredentials ? { contentCredentials } : {};
}
