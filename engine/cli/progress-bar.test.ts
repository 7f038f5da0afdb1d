import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgressBar } from './progress-bar.ts';

test('off a terminal, progress is a plain line at most once per interval, none for a short job', () => {
  const written: string[] = [];
  const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  let clock = 0;
  const bar = createProgressBar(stream, 1000, () => clock);
  bar.listener({ stage: 'faces', done: 1, total: 10, detail: '1 kept' });
  assert.deepEqual(written, [], 'nothing before the first interval');
  for (let done = 2; done <= 10; done++) {
    clock += 300;
    bar.listener({ stage: 'faces', done, total: 10, detail: `${done} kept` });
  }
  clock += 1000;
  bar.listener({ stage: 'train', done: 1, total: undefined });
  assert.deepEqual(written, ['faces 5/10 · 5 kept\n', 'faces 9/10 · 9 kept\n', 'train 1\n']);
});
