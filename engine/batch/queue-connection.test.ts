import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkQueueServer } from './queue-connection.ts';
import { parseQueueUrl } from './queue-url.ts';

test('an unreachable queue is one error naming where the address was set', async () => {
  const nowhere = parseQueueUrl('redis://127.0.0.1:1');
  await assert.rejects(checkQueueServer(nowhere, { timeoutMs: 2000 }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'queueUnreachable');
    assert.match(
      error.message,
      /^Cannot reach the queue at redis:\/\/127\.0\.0\.1:1 \(.*\)\. .*check --queue;/,
    );
    return true;
  });
  await assert.rejects(
    checkQueueServer(nowhere, { timeoutMs: 2000, setting: 'the Redis URL on the Batch screen' }),
    /check the Redis URL on the Batch screen; see docs\/batch\.md\.$/,
  );
});
