/**
 * The reveal rule: "Open folder" may only open a folder the app itself wrote — a case's reports, or the folder
 * of a render this session finished — named by case or job id. A path sent by the client is never opened (a
 * file path there made the shell run its default handler on `/etc/passwd`). Pure.
 */
import { dirname, resolve } from 'node:path';
import type { RequestArgs } from '../common/contract.ts';

export interface WrittenOutputs {
  /** `<data dir>/reports`: one folder per case id. */
  reportsDir: string;
  /** The output file of a render job that finished in this session. */
  renderOutput(jobId: string): string | undefined;
}

/** The folder to open for this request, or null when the app wrote none there. */
export function folderToReveal(request: RequestArgs<'revealOutput'>, written: WrittenOutputs): string | null {
  if (request.kind === 'render') {
    const output = written.renderOutput(request.jobId);
    return output === undefined ? null : dirname(resolve(output));
  }
  const reportsDir = resolve(written.reportsDir);
  const folder = resolve(reportsDir, request.caseId);
  return dirname(folder) === reportsDir ? folder : null;
}
