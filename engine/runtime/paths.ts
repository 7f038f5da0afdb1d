/** The one base path for shipped resources (model weights, icons). Override with UNMASK_RESOURCES. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function resourcesDir(): string {
  return process.env['UNMASK_RESOURCES'] ?? join(REPO_ROOT, 'resources');
}

export function modelDir(name: string): string {
  return join(resourcesDir(), 'models', name);
}
