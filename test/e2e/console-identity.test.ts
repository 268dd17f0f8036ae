/**
 * The console acts as CHAINOPS_CONSOLE_USER (or the OS user). `--as` and `/as` work only when the
 * fleet file allows impersonation (the demo fleet does); otherwise they are refused with a message
 * that says why, and nothing runs.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { runOnce, startConsole } from '../../adapters/console/console-session.ts';
import type { ChatEvent } from '../../src/chat/chat-event.ts';
import { runCli } from '../helpers/run-cli.ts';

const fleet = (allow: boolean | undefined) => `version: 1
name: identity
environments:
  dev: {}
groups:
  eth: { chain: ethereum, network: devnet, client: geth, desired_version: 1.14.3, rpc: { kind: eth } }
nodes:
  - { name: eth-1, group: eth, env: dev, rpc_url: "http://127.0.0.1:9" }
${allow === undefined ? '' : `console: { allow_impersonation: ${allow} }\n`}roles:
  viewer: { console: [vera] }
  admin: { console: [alice] }
`;

let redis: RedisServerHandle;
let dir: string;
const envFor = (file: string, user?: string): NodeJS.ProcessEnv => ({
  REDIS_URL: redis.url, CHAINOPS_CONFIG: join(dir, file), CHAINOPS_PREFIX: `id-${randomUUID().slice(0, 8)}`, LOG_LEVEL: 'warn',
  ...(user ? { CHAINOPS_CONSOLE_USER: user } : {}),
});

before(async () => {
  redis = await startRedisServer({ appendonly: false });
  dir = await mkdtemp(join(tmpdir(), 'chainops-identity-'));
  await writeFile(join(dir, 'plain.yaml'), fleet(undefined));
  await writeFile(join(dir, 'closed.yaml'), fleet(false));
  await writeFile(join(dir, 'demo.yaml'), fleet(true));
});

after(async () => {
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('chainops console identity', () => {
  for (const file of ['plain.yaml', 'closed.yaml']) {
    it(`${file}: --as is refused with a clear message, nothing runs`, async () => {
      const r = await runCli(['console', '--as', 'alice', '--exec', 'freeze dev'], envFor(file, 'vera'));
      assert.equal(r.code, 1);
      assert.match(r.stdout + r.stderr, /--as alice is refused: the console acts as "vera" \(CHAINOPS_CONSOLE_USER or your OS user\), and this fleet file does not allow impersonation/);
      assert.doesNotMatch(r.stdout, /frozen|Froze/i);
    });
  }

  it('a trailing --as inside the command is refused the same way', async () => {
    const r = await runCli(['console', '--exec', 'freeze dev --as alice'], envFor('plain.yaml', 'vera'));
    assert.equal(r.code, 1);
    assert.match(r.stdout + r.stderr, /acting as "alice" is refused/);
  });

  it('CHAINOPS_CONSOLE_USER decides who acts: vera (viewer) may not freeze, alice (admin) may', async () => {
    const vera = await runCli(['console', '--exec', 'freeze dev'], envFor('plain.yaml', 'vera'));
    assert.match(vera.stdout + vera.stderr, /needs the admin role; you are a viewer/);
    const alice = await runCli(['console', '--exec', 'freeze dev'], envFor('plain.yaml', 'alice'));
    assert.equal(alice.code, 0, alice.stdout + alice.stderr);
  });

  it('a fleet that allows impersonation (the demo) lets --as act as another user', async () => {
    const r = await runCli(['console', '--as', 'alice', '--exec', 'freeze dev'], envFor('demo.yaml', 'vera'));
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
});

describe('console session: /as follows the fleet file', () => {
  const session = async (allowed: boolean, lines: string[]) => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    const events: ChatEvent[] = [];
    const s = startConsole({ input, output, user: 'vera', color: false, mayImpersonate: () => allowed, dispatch: async (e, respond) => void (events.push(e), await respond({ text: 'ok', blocks: [] })) });
    input.end(lines.map((l) => `${l}\n`).join(''));
    await s.closed;
    return { events, text };
  };

  it('refused: /as and a trailing --as; the line runs as nobody else', async () => {
    const { events, text } = await session(false, ['/as alice', 'status --as alice', 'status']);
    assert.match(text, /acting as "alice" is refused/);
    assert.deepEqual(events.map((e) => e.actor.id), ['vera']);
  });

  it('allowed: /as switches', async () => {
    const { events } = await session(true, ['/as alice', 'status']);
    assert.deepEqual(events.map((e) => e.actor.id), ['alice']);
  });

  it('runOnce refuses a trailing --as without consent', async () => {
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    const code = await runOnce({ text: 'status --as alice', user: 'vera', output, color: false, mayImpersonate: () => false, dispatch: async () => assert.fail('must not dispatch') });
    assert.equal(code, 1);
    assert.match(text, /refused/);
  });
});
