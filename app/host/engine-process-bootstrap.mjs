// Engine process bootstrap: registers tsx in this process, then loads the TypeScript entry beside it.
import { register } from 'tsx/esm/api';

register();
await import('./engine-process.ts');
