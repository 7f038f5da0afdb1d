import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findChromium } from '../runtime/chromium.ts';
import { outboundAttempts } from '../testing/network-trace.ts';
import { CLI_PATH, testDataDirectory } from '../testing/run-cli.ts';
import { scannedFixture } from '../testing/scanned-fixture.ts';

const works = (command: string[]) =>
  spawnSync(command[0]!, command.slice(1), { stdio: 'ignore' }).status === 0;

test('the trace reader counts DNS queries and TCP connects, not loopback nor a UDP route probe', () => {
  const log = [
    '2067  connect(22<UDPv6:[1]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6_addr), sin6_scope_id=0}, 28) = 0',
    '2067  connect(21<UDP:[2]>, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0',
    '2067  sendto(21<UDP:[10.0.0.2:40000->10.255.255.53:53]>, "\\x12\\x34", 40, MSG_NOSIGNAL, NULL, 0) = 40',
    '2070  connect(23<TCP:[3]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("142.250.1.1")}, 16) = -1 EINPROGRESS',
    '2070  connect(24<TCP:[4]>, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS',
    '2070  sendmsg(25<UNIX:[5->6]>, {msg_name=NULL, msg_namelen=0}, 0) = 200',
    '2071  sendmsg(26<UDPv6:[7]>, {msg_name={sa_family=AF_INET6, sin6_port=htons(5353), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "ff02::fb", &sin6_addr), sin6_scope_id=0}, msg_namelen=28}, 0) = 40',
  ].join('\n');
  assert.deepEqual(
    outboundAttempts(log).map((a) => `${a.call} ${a.address}:${a.port}`),
    [
      'connect 10.255.255.53:53',
      'sendto 10.255.255.53:53',
      'connect 142.250.1.1:443',
      'sendmsg ff02::fb:5353',
    ],
  );
});

const chromium = findChromium();
const strace = works(['strace', '-f', '-qq', '-e', 'trace=none', 'true']);
// An empty network namespace (no root needed with a user namespace) keeps the test hermetic: even a regression
// reaches no DNS server. Tracing alone still catches the attempts where namespaces are not allowed.
const isolate = works(['unshare', '-rn', 'true']) ? ['unshare', '-rn'] : [];

test(
  'PDF export sends nothing to another machine: no DNS query, no connection',
  {
    skip: !chromium ? 'no Chromium' : !strace ? 'strace is missing or ptrace is not allowed here' : false,
    timeout: 180_000,
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unmask-pdf-network-'));
    const scanFile = join(dir, 'scan.json');
    writeFileSync(scanFile, JSON.stringify(await scannedFixture('one-face')));
    const out = join(dir, 'report.pdf');
    const log = join(dir, 'strace.log');
    const trace = ['strace', '-f', '-qq', '-yy', '-e', 'trace=connect,sendto,sendmsg,sendmmsg', '-o', log];
    const command = [...isolate, ...trace, process.execPath, CLI_PATH, 'report', scanFile, '--out', out];
    const run = spawnSync(command[0]!, command.slice(1), {
      encoding: 'utf8',
      env: { ...process.env, UNMASK_DATA_DIR: testDataDirectory() },
      timeout: 150_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(existsSync(out), 'the PDF was written');
    const traced = readFileSync(log, 'utf8');
    assert.match(traced, /sendmsg\(/, 'the trace saw Chromium talk to its own processes');
    const attempts = outboundAttempts(traced);
    assert.deepEqual(
      attempts.map((a) => a.line),
      [],
      `${attempts.length} attempts to reach another machine${isolate.length ? '' : ' (not isolated)'}`,
    );
  },
);
