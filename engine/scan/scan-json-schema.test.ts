import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { scanJsonSchemaText } from './scan-json-schema.ts';

test('docs/scan-format.schema.json is current (regenerate with npm run docs:schema)', () => {
  const committed = readFileSync(new URL('../../docs/scan-format.schema.json', import.meta.url), 'utf8');
  assert.equal(committed, scanJsonSchemaText());
});
