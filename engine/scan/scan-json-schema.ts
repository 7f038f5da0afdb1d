/** JSON Schema (draft 2020-12) of the scan format, generated from the zod definition. */
import { z } from 'zod';
import { SCAN_FORMAT, SCAN_FORMAT_VERSION, scanResultSchema } from './scan-result.ts';

export function scanJsonSchemaText(): string {
  const schema = {
    ...z.toJSONSchema(scanResultSchema, { target: 'draft-2020-12' }),
    $id: `https://unmask.invalid/schemas/${SCAN_FORMAT}.v${SCAN_FORMAT_VERSION}.json`,
    title: `Unmask scan result, format ${SCAN_FORMAT} version ${SCAN_FORMAT_VERSION}`,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
