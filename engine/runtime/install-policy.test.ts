import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

/**
 * The install must succeed where electron, tfjs-node and ffmpeg-static cannot download their binaries, and
 * still give them to users with a network: they are optional dependencies whose install scripts npm 11 is
 * allowed to run. This checks the manifest keeps that shape.
 */
const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};

const DOWNLOADING = ['electron', '@tensorflow/tfjs-node', 'ffmpeg-static'];

test('packages whose install scripts download binaries are optional, never required', () => {
  for (const name of DOWNLOADING) {
    assert.ok(manifest.optionalDependencies[name], `${name} is an optional dependency`);
    assert.equal(manifest.dependencies[name], undefined, `${name} is not a plain dependency`);
  }
});

test('npm 11 may run their install scripts (allowScripts), so a networked install gets the binaries', () => {
  for (const name of DOWNLOADING) assert.equal(manifest.allowScripts[name], true, `${name} approved`);
});

test('the fallbacks ship inside the registry tarballs and are plain dependencies', () => {
  for (const name of [
    '@tensorflow/tfjs-backend-wasm',
    '@ffmpeg-installer/ffmpeg',
    '@ffprobe-installer/ffprobe',
    '@vladmandic/human',
  ]) {
    assert.ok(manifest.dependencies[name], `${name} is a dependency`);
  }
  assert.equal(
    manifest.dependencies['@tensorflow/tfjs'],
    manifest.optionalDependencies['@tensorflow/tfjs-node'],
    'tfjs and tfjs-node versions match, so one tfjs-core serves both',
  );
});
