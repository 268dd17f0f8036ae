/**
 * Paging against real Redis and BullMQ, two replicas side by side (each with its own alert store
 * decorator, queue producer and worker host, as two processes would have), and the PagerDuty
 * stand-in: one trigger per alert however many replicas save its transition; a double acknowledge
 * from two bots sends one acknowledge; a failed or rate-limited page is retried by the queue and shown
 * in the thread; the generic webhook is signed so the receiver can check it.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { RedisOutbox } from '../../adapters/outbox/redis.outbox.ts';
import { HttpPager } from '../../adapters/paging/http-pager.ts';
import { RedisPageClaims } from '../../adapters/paging/redis-page-claims.ts';
import { BullJobQueue } from '../../adapters/queue/bullmq.queue.ts';
import { RedisAlertStore } from '../../adapters/redis/redis-alert.store.ts';
import { pageProcessor } from '../../jobs/page/page.processor.ts';
import { startWorkerHost, type WorkerHost } from '../../jobs/worker-host.ts';
import { updateAlert } from '../../src/alerts/alert-store.ops.ts';
import type { Alert } from '../../src/alerts/alert.types.ts';
import { acknowledge } from '../../src/alerts/lifecycle.ts';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import { dedupKeyOf } from '../../src/paging/page-plan.ts';
import { pageJobId, PagingAlertStore } from '../../src/paging/paging-alert-store.ts';
import { startPagerDutyWebhook } from '../../adapters/paging/pagerduty-webhook.receiver.ts';
import { RedisAuditLog } from '../../adapters/redis/redis-audit.log.ts';
import { alertRecord } from '../helpers/alert-store.contract.ts';
import { startPagerDutyStandIn, type PagerDutyStandIn } from '../stand-ins/pagerduty.stand-in.ts';
import { outboxStreamKey } from '../../adapters/outbox/redis.outbox.ts';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const ROUTING_KEY = randomBytes(16).toString('hex');
const HOOK_SECRET = randomBytes(20).toString('hex');

let server: RedisServerHandle;
let pd: PagerDutyStandIn;
const closers: Array<() => Promise<unknown>> = [];

before(async () => {
  [server, pd] = await Promise.all([startRedisServer({ appendonly: false }), startPagerDutyStandIn({ routingKeys: [ROUTING_KEY] })]);
});
after(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await pd?.stop();
  await server?.stop();
});

function fleetWith(page: string): Fleet {
  const parsed = parseFleet(`
version: 1
name: paging-test
environments:
  prod: { channels: { slack: C0ALERTS } }
groups:
  eth: { chain: ethereum, network: devnet, client: ganache, desired_version: 7.9.2, rpc: { kind: eth } }
nodes: []
alerts:
  routes:
    - { env: prod, slack: C0ALERTS, page: ${page} }
`);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.fleet;
}

/** One replica: its own connections, alert store decorator, producer and worker host, sharing Redis and the prefix. */
function replica(prefix: string, fleet: Fleet, env: NodeJS.ProcessEnv): { alerts: PagingAlertStore; queue: BullJobQueue; start(): Promise<WorkerHost> } {
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  const queue = new BullJobQueue({ redisUrl: server.url, prefix, logger: quiet, jobOptions: { page: { attempts: 4, backoff: { type: 'fixed', delay: 50 } } } });
  closers.push(() => queue.close(), async () => redis.quit());
  const alerts = new PagingAlertStore(new RedisAlertStore(redis, { prefix }), { fleet: () => fleet, queue, logger: quiet });
  return {
    alerts,
    queue,
    async start() {
      const host = await startWorkerHost({
        redisUrl: server.url, prefix, logger: quiet, concurrency: 4,
        processors: {
          page: pageProcessor({
            fleet: () => fleet, alerts, queue, outbox: new RedisOutbox(redis, prefix), clock: { now: () => Date.now() }, logger: quiet,
            pager: new HttpPager({ eventsUrl: pd.url, env }), claims: new RedisPageClaims(redis, prefix), attempts: 4,
          }),
        },
      });
      closers.push(() => host.close());
      return host;
    },
  };
}

function firingAlert(id: string, extra: Partial<Alert> = {}): Alert {
  return alertRecord(id, { severity: 'critical', state: 'firing', firedAt: Date.now(), posted: true, targets: [{ platform: 'slack', channelId: 'C0ALERTS' }], ...extra });
}

async function jobDone(queue: BullJobQueue, id: string): Promise<void> {
  await waitFor(async () => (await queue.get('page', id))?.state === 'completed', { what: `page job ${id} completed`, timeoutMs: 30_000, intervalMs: 50 });
}

/** The thread lines the replicas published for an alert (the Slack outbox stream). */
async function threadLines(prefix: string): Promise<string[]> {
  const r = new Redis(server.url);
  try {
    const entries = await r.xrange(outboxStreamKey(prefix, 'slack'), '-', '+');
    return entries.map(([, f]) => JSON.parse(f[1]!) as { op: string; message: { text: string } }).filter((i) => i.op === 'thread').map((i) => i.message.text);
  } finally {
    r.disconnect();
  }
}

const pdPage = `{ to: pagerduty, routing_key_env: CHAINOPS_SECRET_PD, page_at: critical }`;

describe('paging across two replicas', () => {
  it('sends one trigger per alert though both replicas save the transition, and one acknowledge for a double click on two bots', async () => {
    const prefix = `test-paging-${randomUUID()}`;
    const fleet = fleetWith(pdPage);
    const env = { CHAINOPS_SECRET_PD: ROUTING_KEY };
    const a = replica(prefix, fleet, env);
    const b = replica(prefix, fleet, env);
    await Promise.all([a.start(), b.start()]);
    const id = 'al-rep00001';
    assert.equal(await a.alerts.create(alertRecord(id, { severity: 'critical' })), true);
    // Both replicas move it to firing from the same rev: compare-and-set lets one through…
    const saved = await Promise.all([a.alerts.save(firingAlert(id), 0), b.alerts.save(firingAlert(id), 0)]);
    assert.deepEqual(saved.sort(), [false, true]);
    // …and the next sweep on the other replica saves the still-firing alert again.
    assert.equal(await b.alerts.save(firingAlert(id, { lastSeen: Date.now() }), 1), true);
    await jobDone(a.queue, pageJobId(id, 'trigger'));
    const triggers = pd.accepted('trigger').filter((e) => e.body.dedup_key === dedupKeyOf(id));
    assert.equal(triggers.length, 1);

    const ackOn = (store: PagingAlertStore, who: string) => updateAlert(store, id, (cur) => {
      const r = acknowledge(cur, who, Date.now());
      return r.ok ? r : r.why;
    });
    const clicks = await Promise.all([ackOn(a.alerts, 'slack:T1/U1'), ackOn(b.alerts, 'slack:T1/U2')]);
    assert.equal(clicks.filter((c) => typeof c !== 'string').length, 1, 'one acknowledgement wins');
    await jobDone(b.queue, pageJobId(id, 'acknowledge'));
    assert.equal(pd.accepted('acknowledge').filter((e) => e.body.dedup_key === dedupKeyOf(id)).length, 1);
    assert.equal(pd.incidents.get(dedupKeyOf(id))?.status, 'acknowledged');
    // A replica that runs the same job again (a stalled job handed out twice) sends nothing more.
    const r = new Redis(server.url);
    const state = await new RedisPageClaims(r, prefix).state(`${id}:trigger:pagerduty-CHAINOPS_SECRET_PD`);
    r.disconnect();
    assert.equal(state, 'sent');
  });

  it('retries a page PagerDuty failed (HTTP 500) or rate-limited (429) and says so in the thread', async () => {
    const prefix = `test-paging-${randomUUID()}`;
    const fleet = fleetWith(pdPage);
    const a = replica(prefix, fleet, { CHAINOPS_SECRET_PD: ROUTING_KEY });
    await a.start();
    const id = 'al-retry001';
    pd.failNext(500, 1);
    pd.failNext(429, 1, 1);
    await a.alerts.create(alertRecord(id, { severity: 'critical' }));
    await a.alerts.save(firingAlert(id), 0);
    await jobDone(a.queue, pageJobId(id, 'trigger'));
    const tries = pd.events.filter((e) => e.body.dedup_key === dedupKeyOf(id));
    assert.deepEqual(tries.map((e) => e.status), [500, 429, 202]);
    const lines = await threadLines(prefix);
    assert.ok(lines.some((l) => /Paging PagerDuty failed \(trigger, attempt 1 of 4\): PagerDuty refused the event: HTTP 500/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /attempt 2 of 4\): PagerDuty rate-limited the event \(HTTP 429\)/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /ChainOps paged PagerDuty/.test(l)), lines.join('\n'));
  });

  it('an alert below page_at, or one whose routing key is not set, pages nobody; the missing key is named in the thread', async () => {
    const prefix = `test-paging-${randomUUID()}`;
    const a = replica(prefix, fleetWith(pdPage), {});
    await a.start();
    await a.alerts.create(alertRecord('al-warn0001'));
    await a.alerts.save(firingAlert('al-warn0001', { severity: 'warning' }), 0);
    assert.equal(await a.queue.get('page', pageJobId('al-warn0001', 'trigger')), undefined, 'warning < critical: no page job');
    await a.alerts.create(alertRecord('al-nokey001', { severity: 'critical' }));
    await a.alerts.save(firingAlert('al-nokey001'), 0);
    await waitFor(async () => (await a.queue.get('page', pageJobId('al-nokey001', 'trigger')))?.state === 'failed', { what: 'the page job failed for good', timeoutMs: 30_000, intervalMs: 50 });
    assert.equal(pd.events.filter((e) => e.body.dedup_key === dedupKeyOf('al-nokey001')).length, 0);
    const lines = await threadLines(prefix);
    assert.ok(lines.some((l) => /CHAINOPS_SECRET_PD is not set in the worker's environment/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /attempt 4 of 4.*no more tries — page on-call by hand/.test(l)), lines.join('\n'));
  });

  it('the generic webhook gets the same event, signed with HMAC-SHA256 over "t.body"', async () => {
    const got: Array<{ body: string; sig: string }> = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        got.push({ body, sig: String(req.headers['x-chainops-signature']) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => hook.close(() => r())));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/page`;
    const prefix = `test-paging-${randomUUID()}`;
    const a = replica(prefix, fleetWith(`{ to: webhook, url: "${url}", secret_env: CHAINOPS_SECRET_HOOK, page_at: warning }`), { CHAINOPS_SECRET_HOOK: HOOK_SECRET });
    await a.start();
    await a.alerts.create(alertRecord('al-hook0001'));
    await a.alerts.save(firingAlert('al-hook0001', { severity: 'warning' }), 0);
    await jobDone(a.queue, pageJobId('al-hook0001', 'trigger'));
    assert.equal(got.length, 1);
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(got[0]!.sig);
    assert.ok(m, got[0]!.sig);
    assert.equal(m[2], createHmac('sha256', HOOK_SECRET).update(`${m[1]}.${got[0]!.body}`).digest('hex'));
    const body = JSON.parse(got[0]!.body) as Record<string, any>;
    assert.equal(body.event_action, 'trigger');
    assert.equal(body.dedup_key, 'chainops-al-hook0001');
    assert.equal(body.payload.severity, 'warning');
    assert.equal(body.routing_key, undefined, 'no routing key goes to a webhook');
    assert.ok(!got[0]!.body.includes(HOOK_SECRET));
  });

  it('an incident acknowledged in PagerDuty (signed webhook) acknowledges the alert, says so in its thread, and is not sent back', async () => {
    const prefix = `test-paging-${randomUUID()}`;
    const a = replica(prefix, fleetWith(pdPage), { CHAINOPS_SECRET_PD: ROUTING_KEY });
    await a.start();
    const id = 'al-pdack001';
    await a.alerts.create(alertRecord(id, { severity: 'critical' }));
    await a.alerts.save(firingAlert(id), 0);
    await jobDone(a.queue, pageJobId(id, 'trigger'));
    const redis = new Redis(server.url);
    closers.push(async () => redis.quit());
    const secret = randomBytes(16).toString('hex');
    const hook = await startPagerDutyWebhook({ secret, port: 0, alerts: a.alerts, outbox: new RedisOutbox(redis, prefix), audit: new RedisAuditLog(redis, { prefix }), clock: { now: () => Date.now() }, logger: quiet });
    closers.push(() => hook.close());
    assert.equal(await pd.sendWebhook(hook.url, secret, { eventType: 'incident.acknowledged', dedupKey: dedupKeyOf(id), agent: 'Dana Oncall', withoutIncidentKey: true }), 200);
    const acked = await a.alerts.get(id);
    assert.equal(acked?.state, 'acknowledged');
    assert.equal(acked?.ack?.by, 'pagerduty:Dana Oncall');
    assert.ok((await threadLines(prefix)).some((l) => /Acknowledged in PagerDuty by Dana Oncall/.test(l)));
    assert.equal(await a.queue.get('page', pageJobId(id, 'acknowledge')), undefined, 'nothing to send back');
    assert.equal(await pd.sendWebhook(hook.url, secret, { eventType: 'incident.resolved', dedupKey: dedupKeyOf(id), forgeWith: 'wrong' }), 401);
    assert.equal((await a.alerts.get(id))?.state, 'acknowledged', 'the forged resolve changed nothing');
  });
});
