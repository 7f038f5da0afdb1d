import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTextEntry, sampledFrameTarget, transportAction, type PlayerState } from './shortcuts.ts';

const state: PlayerState = {
  timeSec: 2,
  durationSec: 4,
  playing: false,
  rate: 1,
  sampleTimes: [0, 0.2, 1.8, 2, 2.2, 3.8],
};

test('Space toggles, K pauses, L plays and speeds up, J steps back a second', () => {
  assert.deepEqual(transportAction(' ', state), { type: 'toggle-play' });
  assert.deepEqual(transportAction('k', state), { type: 'pause' });
  assert.deepEqual(transportAction('L', state), { type: 'play', rate: 1 });
  assert.deepEqual(transportAction('l', { ...state, playing: true, rate: 1 }), { type: 'play', rate: 2 });
  assert.deepEqual(transportAction('l', { ...state, playing: true, rate: 4 }), { type: 'play', rate: 4 });
  assert.deepEqual(transportAction('j', state), { type: 'seek', timeSec: 1 });
  assert.deepEqual(transportAction('j', { ...state, timeSec: 0.4 }), { type: 'seek', timeSec: 0 });
  assert.equal(transportAction('x', state), null);
});

test('arrows step one sampled frame; Home and End go to the first and last', () => {
  assert.deepEqual(transportAction('ArrowRight', state), { type: 'seek', timeSec: 2.2 });
  assert.deepEqual(transportAction('ArrowLeft', state), { type: 'seek', timeSec: 1.8 });
  assert.deepEqual(transportAction('Home', state), { type: 'seek', timeSec: 0 });
  assert.deepEqual(transportAction('End', state), { type: 'seek', timeSec: 3.8 });
  assert.equal(sampledFrameTarget('ArrowRight', { ...state, timeSec: 3.8 }), null, 'nothing after the last');
  assert.equal(sampledFrameTarget('ArrowLeft', { ...state, timeSec: 0 }), null);
  assert.equal(sampledFrameTarget('End', { ...state, sampleTimes: [] }), 4, 'no frames yet: the end');
});

test('keys typed into text fields are not shortcuts; checkboxes and buttons are not text', () => {
  assert.equal(isTextEntry({ tagName: 'INPUT', type: 'text' }), true);
  assert.equal(isTextEntry({ tagName: 'input' }), true);
  assert.equal(isTextEntry({ tagName: 'TEXTAREA' }), true);
  assert.equal(isTextEntry({ tagName: 'INPUT', type: 'checkbox' }), false);
  assert.equal(isTextEntry({ tagName: 'BUTTON' }), false);
  assert.equal(isTextEntry({ tagName: 'DIV', isContentEditable: true }), true);
  assert.equal(isTextEntry(null), false);
});
