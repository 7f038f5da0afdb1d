/** JSON Schema (draft 2020-12) of the report format, generated from the zod definition. */
import { z } from 'zod';
import { REPORT_FORMAT, REPORT_FORMAT_VERSION, reportSchema } from './report-format.ts';

export function reportJsonSchemaText(): string {
  const schema = {
    ...z.toJSONSchema(reportSchema, { target: 'draft-2020-12' }),
    $id: `https://unmask.invalid/schemas/${REPORT_FORMAT}.v${REPORT_FORMAT_VERSION}.json`,
    title: `Unmask report, format ${REPORT_FORMAT} version ${REPORT_FORMAT_VERSION}`,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
