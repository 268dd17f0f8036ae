import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSshd, type SshdHost } from '../../adapters/local/sshd.process.ts';
import { gatherHostFacts, hostFactsScript, parseHostFacts } from '../../adapters/ssh/host-facts.ts';
import { fingerprint, parseHostKey } from '../../adapters/ssh/host-key.ts';
import { joinArgv, quoteArg } from '../../adapters/ssh/shell-quote.ts';
import { NodeSshRunner } from '../../adapters/ssh/ssh-runner.ts';
import { ChainopsError } from '../../src/errors.ts';
import type { FleetNode } from '../../src/fleet/fleet.schema.ts';

const run = promisify(execFile);
let a: SshdHost;
let b: SshdHost;

const nodeOf = (h: SshdHost, hostKey: string | undefined = h.hostKey): FleetNode => ({
  name: 'ssh-1', group: 'g', env: 'dev', rpc_url: 'http://127.0.0.1:1',
  ssh: { host: h.host, port: h.port, user: h.user, ...(hostKey ? { host_key: hostKey } : {}) },
});

before(async () => {
  [a, b] = await Promise.all([startSshd(), startSshd()]);
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('SSH runner against a real sshd', () => {
  it('runs a fixed argument vector: every argument arrives as one word, nothing is expanded', async () => {
    const runner = new NodeSshRunner({ keyFile: a.keyFile });
    const marker = join(a.root, 'ran');
    const nasty = ["it's", '$HOME', '`id`', '$(touch /tmp/chainops-pwned)', 'a;b|c&&d', '*', '"q"', 'two words'];
    const r = await runner.run(nodeOf(a), ['printf', '%s\\n', ...nasty]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), nasty);
    assert.equal(existsSync('/tmp/chainops-pwned'), false);
    const touched = await runner.run(nodeOf(a), ['touch', marker]);
    assert.equal(touched.code, 0);
    assert.ok(existsSync(marker), 'the command really ran on the host');
    const failing = await runner.run(nodeOf(a), ['sh', '-c', 'echo oops >&2; exit 3']);
    assert.deepEqual([failing.code, failing.stderr.trim(), failing.timedOut], [3, 'oops', false]);
  });

  it('cuts a command off at its timeout', async () => {
    const r = await new NodeSshRunner({ keyFile: a.keyFile }).run(nodeOf(a), ['sleep', '30'], { timeoutMs: 800 });
    assert.equal(r.timedOut, true);
    assert.equal(r.code, null);
    assert.ok(r.durationMs < 5_000);
  });

  it('pins the host key: another host\'s key is refused before any command runs', async () => {
    const runner = new NodeSshRunner({ keyFile: a.keyFile });
    const marker = join(a.root, 'must-not-exist');
    // Host A answering while the fleet file pins host B's key (a rebuilt host, or a man in the middle).
    await assert.rejects(runner.run(nodeOf(a, b.hostKey), ['touch', marker]), (e) => {
      assert.ok(e instanceof ChainopsError && e.code === 'forbidden', String(e));
      assert.match(e.message, /host key mismatch for ssh-1 .* it offered SHA256:\S+, the fleet file pins SHA256:\S+ — refusing to connect/);
      assert.ok(e.message.includes(fingerprint(parseHostKey(a.hostKey, 'a').blob)), 'names the key it saw');
      return true;
    });
    assert.equal(existsSync(marker), false);
    await assert.rejects(runner.run(nodeOf(a, ''), ['true']), /no ssh.host_key: ChainOps never connects to a host it cannot verify/);
  });

  it('the fingerprint matches ssh-keygen -lf', async () => {
    const pub = join(a.root, 'pinned.pub');
    writeFileSync(pub, `${a.hostKey}\n`);
    const { stdout } = await run('ssh-keygen', ['-lf', pub]);
    assert.equal(fingerprint(parseHostKey(a.hostKey, 'a').blob), stdout.split(/\s+/)[1]);
    assert.throws(() => parseHostKey('ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIJQZ9YgXbVdx7bqkY2H7Qq8Jv7lG7n2bq6dGJ8mKx7Xx', 'n'), /does not hold a ssh-rsa key/);
  });

  it('the private key comes from CHAINOPS_SSH_KEY_FILE; its path never shows in errors', async () => {
    const env = { CHAINOPS_SSH_KEY_FILE: a.keyFile };
    const r = await new NodeSshRunner({ env }).run(nodeOf(a), ['true']);
    assert.equal(r.code, 0);
    await assert.rejects(new NodeSshRunner({ env: {} }).run(nodeOf(a), ['true']), /set CHAINOPS_SSH_KEY_FILE/);
    const missing = '/nonexistent/secret-key-path';
    await assert.rejects(new NodeSshRunner({ env: { CHAINOPS_SSH_KEY_FILE: missing } }).run(nodeOf(a), ['true']), (e) => {
      assert.ok(!String(e).includes(missing), String(e));
      return /cannot read the SSH private key .*ENOENT/.test(String(e));
    });
    // Host B does not know host A's client key.
    await assert.rejects(new NodeSshRunner({ keyFile: a.keyFile }).run(nodeOf(b), ['true']), (e) => e instanceof ChainopsError && e.code === 'unavailable' && /cannot SSH to ssh-1/.test(e.message));
  });

  it('gatherHostFacts matches what this machine reports itself (/proc, df)', async () => {
    const facts = await gatherHostFacts(nodeOf(a), { keyFile: a.keyFile });
    const meminfo = readFileSync('/proc/meminfo', 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(meminfo)![1]);
    assert.equal(facts.cpus, Number((await run('getconf', ['_NPROCESSORS_ONLN'])).stdout.trim()));
    assert.ok(facts.cpus <= availableParallelism() * 64);
    assert.equal(facts.memTotalMiB, Math.floor(kb('MemTotal') / 1024));
    assert.ok(Math.abs(facts.memAvailableMiB - kb('MemAvailable') / 1024) < 512, `available ${facts.memAvailableMiB} MiB`);
    const df = (await run('df', ['-P', '-k', '/'])).stdout.trim().split('\n')[1]!.split(/\s+/);
    assert.equal(facts.diskTotalGiB, Math.round((Number(df[1]) / 1024 / 1024) * 100) / 100);
    assert.ok(Math.abs(facts.diskUsedPct - Number(df[4]!.replace('%', ''))) <= 1);
    assert.ok(facts.load1 >= 0);
  });
});

describe('SSH pieces without a host', () => {
  it('quotes for a POSIX shell and refuses control characters', () => {
    assert.equal(quoteArg("it's"), `'it'\\''s'`);
    assert.equal(joinArgv(['sudo', 'systemctl', 'restart', 'geth']), `'sudo' 'systemctl' 'restart' 'geth'`);
    assert.throws(() => quoteArg('a\nb'), /control character/);
    assert.throws(() => joinArgv([]), /at least one argument/);
  });

  it('reads host facts output, with or without a NIC speed', () => {
    const text = ['4', '@@mem', 'MemTotal:       8048576 kB', 'MemFree: 1 kB', 'MemAvailable:   4024288 kB', '@@load', '0.52 0.40 0.33 1/123 456', '@@df',
      'Filesystem     1024-blocks      Used Available Capacity Mounted on', '/dev/nvme0n1p1   104857600  91750400  13107200      88% /', '@@nic', '10000', ''].join('\n');
    assert.deepEqual(parseHostFacts(text), { cpus: 4, memTotalMiB: 7859, memAvailableMiB: 3929, diskTotalGiB: 100, diskUsedPct: 88, load1: 0.52, nicSpeedMbps: 10000 });
    assert.equal(parseHostFacts(text.replace('10000', '-1')).nicSpeedMbps, undefined);
    assert.throws(() => parseHostFacts('x'), /CPU count/);
    assert.throws(() => hostFactsScript('/data; rm -rf /'), /not an absolute path/);
    assert.match(hostFactsScript('/var/lib/geth'), /df -P -k '\/var\/lib\/geth'/);
  });
});
