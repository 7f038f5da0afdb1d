/**
 * Writes the JSON Schemas in docs/ from their zod definitions (npm run docs:schema). Tests keep them current.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reportJsonSchemaText } from '../engine/report/report-json-schema.ts';
import { scanJsonSchemaText } from '../engine/scan/scan-json-schema.ts';

for (const [file, text] of [
  ['scan-format.schema.json', scanJsonSchemaText()],
  ['report-format.schema.json', reportJsonSchemaText()],
] as const) {
  const target = fileURLToPath(new URL(`../docs/${file}`, import.meta.url));
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
