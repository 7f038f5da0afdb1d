import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rendererFile } from './renderer-file.ts';

const dir = '/opt/unmask/dist/app/renderer';

test('renderer files are found inside the renderer folder only', () => {
  assert.equal(rendererFile(dir, '/'), `${dir}/index.html`);
  assert.equal(rendererFile(dir, '/renderer.js'), `${dir}/renderer.js`);
  assert.equal(rendererFile(dir, '/fonts/a%20b.woff2'), `${dir}/fonts/a b.woff2`);
  // Whatever a path climbs, it is resolved from the root of the renderer folder, as a URL is.
  for (const path of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc/passwd', '/a/../../x'])
    assert.ok(rendererFile(dir, path)?.startsWith(`${dir}/`), path);
  assert.equal(rendererFile(dir, '../../etc/passwd'), null, 'a relative path that leaves the folder');
});

test('undecodable paths, NUL bytes and source maps are refused', () => {
  assert.equal(rendererFile(dir, '/%E0%A4%A'), null);
  assert.equal(rendererFile(dir, '/index.html%00.png'), null);
  assert.equal(rendererFile(dir, '/renderer.js.map'), null);
});
