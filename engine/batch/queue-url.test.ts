import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQueueUrl } from './queue-url.ts';

test('parses host, port, database, credentials and TLS; hides the password when shown', () => {
  assert.deepEqual(parseQueueUrl('redis://127.0.0.1:6380'), {
    host: '127.0.0.1',
    port: 6380,
    db: 0,
    tls: false,
    display: 'redis://127.0.0.1:6380',
  });
  const full = parseQueueUrl('rediss://scan:p%40ss@queue.example:7000/3');
  assert.equal(full.host, 'queue.example');
  assert.equal(full.port, 7000);
  assert.equal(full.db, 3);
  assert.equal(full.username, 'scan');
  assert.equal(full.password, 'p@ss');
  assert.equal(full.tls, true);
  assert.equal(full.display.includes('p%40ss'), false);
  assert.match(full.display, /\*\*\*@queue\.example:7000\/3$/);
  assert.equal(parseQueueUrl('redis://[::1]').host, '::1');
  assert.equal(parseQueueUrl('redis://localhost').port, 6379);
});

test('rejects what is not a Redis address, with the reason', () => {
  assert.throws(() => parseQueueUrl('localhost:6379'), /scheme|not a URL/);
  assert.throws(() => parseQueueUrl('http://localhost:6379'), /unsupported scheme "http:"/);
  assert.throws(() => parseQueueUrl('redis://localhost:6379/queue'), /database "queue" is not a number/);
  assert.throws(() => parseQueueUrl('redis://localhost:6379?x=1'), /query/);
});
