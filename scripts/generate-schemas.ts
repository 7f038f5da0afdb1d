/** Writes docs/scan-format.schema.json from the zod definition (npm run docs:schema). A test keeps it current. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scanJsonSchemaText } from '../engine/scan/scan-json-schema.ts';

const target = fileURLToPath(new URL('../docs/scan-format.schema.json', import.meta.url));
writeFileSync(target, scanJsonSchemaText());
console.log(`wrote ${target}`);
