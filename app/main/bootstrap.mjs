// Electron main entry (package.json "main"): registers tsx, then loads the TypeScript main process.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
