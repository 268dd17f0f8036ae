// Chaos item 8 (issue #8): secrets never reach chat or the logs. A bot replica (as production composes
// it) checks Bitcoin-family nodes with RPC credentials; the nodes are hostile: they echo the password,
// the Authorization header or the password URL-encoded back in their answers. Everything the bot then
// posts to the Slack stand-in and every log line is scanned (test/helpers/secret-scan.ts) for the RPC
// password, the bot token and the signing secret in every encoding. The scanner itself is checked first.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { formBody, postSigned } from '../helpers/slack-sign.ts';
import { assertNoSecrets, logRecords, scanForSecrets, secretForms, slackStandInRecords } from '../helpers/secret-scan.ts';
import { startSlackStandIn, type SlackStandIn } from '../stand-ins/slack-api.stand-in.ts';
import { slashCommandFields } from '../stand-ins/slack-payloads.ts';
import { SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, startBotStack, type BotStack } from '../chaos/lib/bot-stack.ts';

/** Characters that change under JSON, URL and form encoding, so each encoding is really exercised. */
const RPC_PASSWORD = 'pw+Chaos/7"=x\\q&42';
const RPC_USER = 'chainops';

describe('the secret scanner (control)', () => {
  it('finds a secret as is, JSON-escaped, URL- and form-encoded, hex, and in base64 at every offset', () => {
    const basic = (user: string) => `Authorization: Basic ${Buffer.from(`${user}:${RPC_PASSWORD}`).toString('base64')}`;
    const planted = [
      { where: 'plain', value: `error: ${RPC_PASSWORD}` },
      { where: 'json', value: { text: `pw ${RPC_PASSWORD}` } },
      { where: 'url', value: `https://x/?p=${encodeURIComponent(RPC_PASSWORD)}` },
      { where: 'form', value: new URLSearchParams({ p: RPC_PASSWORD }).toString() },
      { where: 'hex', value: Buffer.from(RPC_PASSWORD).toString('hex').toUpperCase() },
      { where: 'basic-0', value: basic('a') },
      { where: 'basic-1', value: basic('ab') },
      { where: 'basic-2', value: basic('abc') },
      { where: 'buffer', value: Buffer.from(`x${RPC_PASSWORD}x`) },
    ];
    const hits = scanForSecrets({ RPC_PASSWORD }, planted);
    assert.deepEqual([...new Set(hits.map((h) => h.where))].sort(), planted.map((p) => p.where).sort());
    assert.ok(hits.every((h) => !h.excerpt.includes(RPC_PASSWORD)), 'excerpts mask the secret');
    assert.deepEqual(scanForSecrets({ RPC_PASSWORD }, [{ where: 'clean', value: 'pw+Chaos/7 and x\\q&42 apart' }]), []);
    const forms = secretForms(RPC_PASSWORD).map((f) => f.form);
    for (const f of ['as is', 'JSON-escaped', 'URL-encoded', 'hex', 'base64 (offset 0)', 'base64 (offset 1)', 'base64 (offset 2)']) assert.ok(forms.includes(f), `form ${f}`);
    assert.throws(() => scanForSecrets({ short: 'abc' }, []), /too short/);
    assert.throws(() => assertNoSecrets({ RPC_PASSWORD }, planted.slice(0, 1)), /RPC_PASSWORD \(as is\) in plain/);
    assert.throws(() => assertNoSecrets({ RPC_PASSWORD }, []), /vacuously/);
  });
});

/** A "node" that answers every call with an error (or result) echoing what it was sent. */
function hostileNode(): Promise<{ url: string; server: Server; requests: number }> {
  const state = { requests: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      const mode = (req.url ?? '').split('/')[1];
      const auth = String(req.headers.authorization ?? '');
      const decoded = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8');
      const password = decoded.slice(decoded.indexOf(':') + 1);
      const echo = mode === 'header' ? `Authorization: ${auth}` : mode === 'urlenc' ? `pw=${encodeURIComponent(password)}` : `bad credentials ${decoded}`;
      let calls: Array<{ id: unknown; method: string }> = [];
      let batch = true;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        batch = Array.isArray(body);
        calls = (batch ? body : [body]) as typeof calls;
      } catch { /* answer nothing useful */ }
      const answer = (c: { id: unknown; method: string }) => {
        if (mode === 'version' && c.method === 'getnetworkinfo') return { id: c.id, result: { subversion: `/Satoshi:27.0.0(${echo})/`, connections: 8, warnings: echo }, error: null };
        if (mode === 'version' && c.method === 'getblockchaininfo') return { id: c.id, result: { chain: 'regtest', blocks: 10, headers: 10, bestblockhash: 'a'.repeat(64), initialblockdownload: false, verificationprogress: 1, warnings: echo }, error: null };
        return { id: c.id, result: null, error: { code: -1, message: echo } };
      };
      const out = JSON.stringify(batch ? calls.map(answer) : answer(calls[0]!));
      res.writeHead(200, { 'content-type': 'application/json' }).end(out);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, get requests() { return state.requests; } })));
}

/**
 * A bot replica checks nodes in `modes` (each a hostile node echoing credentials its own way), asks
 * for health, nodes and status over Slack, then scans everything posted and logged.
 */
function hostileSuite(title: string, modes: readonly string[]): void {
  describe(title, () => {
    let redis: RedisServerHandle;
    let slack: SlackStandIn;
    let bot: BotStack;
    let node: Awaited<ReturnType<typeof hostileNode>>;

    before(async () => {
      redis = await startRedisServer({ appendonly: false });
      slack = await startSlackStandIn({ botToken: SLACK_BOT_TOKEN });
      node = await hostileNode();
      const nodes = modes.map((m) => `  - { name: ltc-${m}, group: ltc-regtest, env: dev, rpc_url: "${node.url}/${m}", rpc_auth: { username: ${RPC_USER}, password_env: CHAINOPS_SECRET_CHAOS_RPC_PASSWORD } }`).join('\n');
      bot = await startBotStack({
        redisUrl: redis.url, prefix: `chaos-${randomUUID().slice(0, 8)}`, slack: { apiUrl: slack.url }, env: { CHAINOPS_SECRET_CHAOS_RPC_PASSWORD: RPC_PASSWORD },
        fleetYaml: `
version: 1
name: chaos-secrets
environments:
  dev: { approval: { required: 0 } }
groups:
  ltc-regtest: { chain: litecoin, network: regtest, client: litecoind, desired_version: 0.21.2.1, rpc: { kind: bitcoin } }
nodes:
${nodes}
health: { interval: 1h, timeout: 2s }
roles:
  viewer: { slack: [T0STANDIN/U0ALICE] }
`,
      });
    });
    after(async () => {
      await bot?.close();
      await new Promise((r) => node?.server.close(r));
      await slack?.stop();
      await redis?.stop();
    });

    it('health, nodes and status answer, after talking to the hostile nodes', async () => {
      const texts = ['health', ...modes.map((m) => `health ltc-${m}`), 'nodes', 'status'];
      for (const [i, text] of texts.entries()) {
        const res = await postSigned(bot.slackEventsUrl!, SLACK_SIGNING_SECRET, formBody(slashCommandFields({ text, channel: 'C0SECRET', responseUrl: slack.responseUrl(`s-${i}`) })));
        assert.equal(res.status, 200);
      }
      // Each command is answered (in the channel or to the asker) before the scan.
      await waitFor(async () => slack.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'response_url').length >= texts.length, { what: 'an answer to every command', timeoutMs: 20_000 });
      assert.ok(node.requests >= modes.length, 'the nodes were asked');
      const answered = JSON.stringify(slack.calls.map((c) => c.args));
      for (const m of modes) assert.match(answered, new RegExp(`ltc-${m}`), `the answer mentions ltc-${m}`);
    });

    it('no RPC password, bot token or signing secret in any posted body or log line, in any encoding', () => {
      assertNoSecrets({ RPC_PASSWORD, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET }, [...slackStandInRecords(slack), ...logRecords(bot.logs)], 'what the bot posted and logged');
    });
  });
}

hostileSuite('hostile nodes echo the password, the Authorization header, the password URL-encoded or as the client version: nothing reaches chat or the logs', ['plain', 'header', 'urlenc', 'version']);
