/**
 * Consent is part of the swap engine's API, not a CLI nicety: every function that writes a project, a render or
 * a reenactment takes a ConsentStatement and refuses to run without one. There is no flag, option or
 * environment variable that turns this, the "SYNTHETIC" watermark or the AI-generated metadata off.
 */
import { UnmaskError } from '../util/errors.ts';

export interface ConsentStatement {
  /** Who consented, and to what, in the user's words. */
  statement: string;
  /** ISO time the statement was given. */
  attestedAt: string;
}

/** Shortest statement accepted: enough for "X and Y agreed to Z", not a placeholder like "yes". */
export const MIN_CONSENT_LENGTH = 12;

export function requireConsent(statement: string | undefined, action: string): ConsentStatement {
  const text = (statement ?? '').replace(/\s+/g, ' ').trim();
  if (text.length === 0) {
    throw new UnmaskError(
      'swapConsentMissing',
      `Refusing to ${action} without consent: pass --consent "<who consented, and to what>". Nothing was written.`,
    );
  }
  if (text.length < MIN_CONSENT_LENGTH) {
    throw new UnmaskError(
      'swapConsentMissing',
      `The consent statement "${text}" is too short to say who consented to what (at least ${MIN_CONSENT_LENGTH} characters). Nothing was written.`,
    );
  }
  return { statement: text, attestedAt: new Date().toISOString() };
}
