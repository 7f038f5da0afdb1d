import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rendererFile } from '../host/renderer-file.ts';
import { appRequestPath, externalUrlAllowed, navigationAllowed, RENDERER_URL } from './navigation-rules.ts';

test('only allowlisted documentation URLs open in the system browser', () => {
  assert.equal(externalUrlAllowed('https://contentcredentials.org/verify'), true);
  assert.equal(externalUrlAllowed('https://contentcredentials.org/verify?source=x#top'), true);
  for (const url of [
    'http://contentcredentials.org/verify',
    'https://contentcredentials.org/verify/../../evil',
    'https://contentcredentials.org.evil.example/verify',
    'https://user:pw@contentcredentials.org/verify',
    'https://evil.example/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://host/share',
    'not a url',
  ])
    assert.equal(externalUrlAllowed(url), false, url);
});

test('windows navigate only to the app page, as the top frame', () => {
  assert.equal(navigationAllowed(RENDERER_URL, true), true);
  assert.equal(navigationAllowed(`${RENDERER_URL}#analysis`, true), true);
  assert.equal(navigationAllowed(RENDERER_URL, false), false, 'no subframe');
  for (const url of [
    'https://evil.example/',
    'file:///etc/passwd',
    'app://unmask/other.html',
    'app://evil/index.html',
  ])
    assert.equal(navigationAllowed(url, true), false, url);
});

test('app:// serves files of the renderer folder only', () => {
  const dir = '/opt/unmask/dist/app/renderer';
  const file = (url: string) => {
    const path = appRequestPath(url);
    return path === null ? null : rendererFile(dir, path);
  };
  assert.equal(file('app://unmask/index.html'), `${dir}/index.html`);
  assert.equal(file('app://unmask/renderer.js'), `${dir}/renderer.js`);
  assert.equal(file('app://other/index.html'), null);
  assert.equal(file('unmask-media://unmask/index.html'), null);
  assert.ok(file('app://unmask/%2e%2e/%2e%2e/etc/passwd')?.startsWith(`${dir}/`), 'stays in the folder');
  assert.equal(file('app://unmask/renderer.js.map'), null);
});
