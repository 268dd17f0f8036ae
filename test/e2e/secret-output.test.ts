import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { startSshd, type SshdHost } from '../../adapters/local/sshd.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { RedisAuditLog } from '../../adapters/redis/redis-audit.log.ts';
import { startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { runCli } from '../helpers/run-cli.ts';
import { assertNoSecrets, logRecords, redisRecords } from '../helpers/secret-scan.ts';
import { storePrefix } from '../../src/ports/key-layout.ts';

// A playbook and a remediation command that print a secret the worker holds (its value sits on the
// node, as a leaked credential would): the secret appears nowhere in chat (the outbox), the logs,
// job logs or the audit log — all of Redis and every log line are scanned. The playbook also dumps
// the environment ansible-playbook runs with: no chat token, no secret.
const SECRET = `leak-${randomBytes(12).toString('hex')}`;
const BOT_TOKEN = `xoxb-${randomBytes(8).toString('hex')}-not-for-ansible`;
let redis: RedisServerHandle;
let host: SshdHost;
let dir: string;
let worker: BotProcess | undefined;
let env: Record<string, string>;
let prefix: string;

before(async () => {
  [redis, host] = await Promise.all([startRedisServer({ appendonly: false }), startSshd()]);
  dir = await mkdtemp(join(tmpdir(), 'chainops-leak-'));
  await writeFile(join(host.root, 'secret.txt'), `${SECRET}\n`);
  await mkdir(join(dir, 'playbooks'));
  await writeFile(join(dir, 'playbooks', 'leak.yml'), `- hosts: all
  gather_facts: false
  tasks:
    - name: dump the controller environment
      ansible.builtin.shell: env > {{ marker_dir }}/ansible-env.txt
      delegate_to: localhost
    - name: read the secret
      ansible.builtin.command: cat {{ marker_dir }}/secret.txt
      register: out
    - name: print it
      ansible.builtin.debug: { var: out.stdout }
    - name: mark done
      ansible.builtin.file: { path: "{{ marker_dir }}/leak-done", state: touch }
    - name: fail with it
      ansible.builtin.fail: { msg: "the secret is {{ out.stdout }}" }
`);
  prefix = `leak-${randomUUID().slice(0, 8)}`;
  await writeFile(join(dir, 'chainops.yaml'), `version: 1
name: leak
environments:
  dev: { thresholds: { min_peers: 0 }, channels: { console: ops } }
groups:
  eth: { chain: ethereum, network: devnet, client: ganache, desired_version: 7.9.2, rpc: { kind: eth } }
nodes:
  - name: eth-1
    group: eth
    env: dev
    rpc_url: "http://127.0.0.1:9"
    ssh: { host: ${host.host}, port: ${host.port}, user: ${host.user}, host_key: "${host.hostKey}" }
    ansible_vars: { marker_dir: "${host.root}" }
health: { interval: 30s, timeout: 1s }
roles:
  viewer: { console: ["*"] }
  operator: { console: [carol] }
alerts:
  actions:
    - { name: printer, ssh: [cat, "${host.root}/secret.txt"] }
    - { name: leaker, playbook: playbooks/leak.yml }
`);
  env = {
    REDIS_URL: redis.url, CHAINOPS_CONFIG: join(dir, 'chainops.yaml'), CHAINOPS_PREFIX: prefix, CHAINOPS_SSH_KEY_FILE: host.keyFile,
    CHAINOPS_SECRET_LEAK: SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, METRICS_PORT: '0', LOG_LEVEL: 'debug',
  };
  worker = await startBotProcess('worker', env);
});

after(async () => {
  await worker?.stop();
  await Promise.all([redis?.stop(), host?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a playbook and a remediation command that print a secret: it reaches neither chat, logs, job logs nor the audit log', async () => {
  const conn = new Redis(redis.url);
  try {
    const audit = new RedisAuditLog(conn, { prefix: storePrefix(prefix, 'audit') });
    const ended = async (action: string) => (await audit.latest(100)).find((e) => e.action === 'job.end' && e.detail.includes(`${action} on eth-1`));
    const console = async (line: string) => runCli(['console', '--exec', line], { ...env, CHAINOPS_CONSOLE_USER: 'carol' });
    const printed = await console('/chainops run printer eth-1');
    assert.equal(printed.code, 0, printed.stdout + printed.stderr);
    const played = await console('/chainops run leaker eth-1');
    assert.equal(played.code, 0, played.stdout + played.stderr);
    const printer = await waitFor(() => ended('printer'), { timeoutMs: 120_000, what: 'the printer command to end' });
    const leaker = await waitFor(() => ended('leaker'), { timeoutMs: 180_000, what: 'the playbook to end' });
    assert.equal(printer.outcome, 'ok', printer.detail);
    assert.equal(leaker.outcome, 'failed', 'the playbook ran and its last task failed with the secret in its message');
    assert.ok(existsSync(join(host.root, 'leak-done')), 'the playbook read and printed the secret on the node');
    // Stopped first, so every (asynchronously written) log line is flushed.
    const w = worker!;
    await w.stop();
    worker = undefined;
    assertNoSecrets({ SECRET }, logRecords(w.stderr().split('\n').filter(Boolean), 'worker log'), 'the worker logs');
    const records = await redisRecords(conn);
    assert.ok(records.some((r) => r.where.includes('outbox')), `the outbox (chat) is among what is scanned: ${records.map((r) => r.where).join(', ')}`);
    assert.ok(JSON.stringify(records).includes('[redacted]'), 'the printed secret was there, redacted');
    assertNoSecrets({ SECRET }, records, 'Redis: outbox (chat), audit log, job data and job logs');
    assertNoSecrets({ SECRET }, [...logRecords([printed.stdout, printed.stderr, played.stdout, played.stderr], 'console')], 'console replies');
    const ansibleEnv = await readFile(join(host.root, 'ansible-env.txt'), 'utf8');
    assert.match(ansibleEnv, /^PATH=/m);
    assertNoSecrets({ SECRET, BOT_TOKEN }, [{ where: 'ansible-playbook environment', value: ansibleEnv }]);
  } finally {
    conn.disconnect();
  }
});
