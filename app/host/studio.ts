/**
 * The studio's engine side. Training a face swap needs the swap engine (engine/swap), which is not part of
 * this build yet; until it is, the studio reports why it cannot train. Consent is checked by the contract
 * (app/common: consentAttestationSchema) before any handler runs, so a request without it never gets here.
 */
import type { StudioStatus } from '../common/contract.ts';

export function studioStatus(): StudioStatus {
  return {
    available: false,
    reason: 'The face-swap engine is not installed in this build, so training is unavailable.',
  };
}
