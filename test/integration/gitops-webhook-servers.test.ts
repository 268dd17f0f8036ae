/**
 * POST /gitops/webhook is served with its raw body on every server that can own the bot's public
 * port: the Slack HTTP server (Slack configured, HTTP or Socket Mode), Discord's HTTP interactions
 * endpoint (Discord in HTTP mode without Slack), and the bot's own server (neither). Each must hand the
 * route the unread body, or the HMAC over it cannot match; each must keep serving its own paths.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { startHttpReceiver } from '../../adapters/discord/discord-http.receiver.ts';
import type { InteractionDeps } from '../../adapters/discord/discord-interaction.handler.ts';
import { gitopsWebhookRoute } from '../../adapters/gitops/gitops-webhook.route.ts';
import { MemoryGitopsLedger } from '../../adapters/gitops/gitops-ledger.memory.ts';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { healthzRoute, serveRoutes } from '../../adapters/metrics/metrics-route.ts';
import { startSlackHttpServer } from '../../adapters/slack/slack-http.server.ts';
import { makeDiscordSigner } from '../helpers/discord-sign.ts';

const SECRET = 'servers-test-secret-0123456789';
const logger = pino({ level: 'silent' });
const pushes: string[] = [];
const audit = new MemoryAuditLog();
// Window 0: every refusal gets its own entry here, so each server's refusal is counted below.
const route = gitopsWebhookRoute({ secret: SECRET, followedRef: 'main', onPush: (why) => pushes.push(why), audit, ledger: new MemoryGitopsLedger(), refusalWindowMs: 0, clock: { now: Date.now }, logger });
const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers) await c();
});

async function servers(): Promise<Array<[string, string]>> {
  const slack = await startSlackHttpServer({ port: 0, logger, extraRoutes: [healthzRoute, route] });
  closers.push(slack.close);
  const discord = await startHttpReceiver({ publicKey: makeDiscordSigner().publicKeyHex, port: 0, host: '127.0.0.1', extraRoutes: [route] }, { logger } as unknown as InteractionDeps);
  closers.push(discord.stop);
  const own = createServer(serveRoutes([healthzRoute, route]));
  await new Promise<void>((r) => own.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => own.close(() => r())));
  return [
    ['slack', slack.url],
    ['discord', `http://127.0.0.1:${discord.port}`],
    ['own', `http://127.0.0.1:${(own.address() as AddressInfo).port}`],
  ];
}

test('each server hands POST /gitops/webhook the raw body: a signed push is accepted, a tampered one refused', async () => {
  for (const [name, base] of await servers()) {
    // Whitespace and key order a re-serialised body would lose: only the raw bytes verify.
    const body = `{ "ref" : "refs/heads/main",\n  "after": "${name === 'own' ? 'a' : name === 'slack' ? 'b' : 'c'}${'0'.repeat(39)}" }`;
    const sig = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    const ok = await fetch(`${base}/gitops/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sig }, body });
    assert.equal(ok.status, 202, `${name}: signed push`);
    const bad = await fetch(`${base}/gitops/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sig }, body: body.replace('main', 'mainx') });
    assert.equal(bad.status, 401, `${name}: tampered body`);
  }
  assert.deepEqual(pushes, [`github push of b${'0'.repeat(11)}`, `github push of c${'0'.repeat(11)}`, `github push of a${'0'.repeat(11)}`]);
  assert.equal((await audit.latest(10)).filter((e) => e.action === 'gitops.webhook' && e.outcome === 'refused').length, 3);
});
