import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pagerDutySignature, verifyPagerDutySignature } from '../../adapters/paging/pagerduty-signature.ts';
import { readPagerDutyWebhook } from '../../adapters/paging/pagerduty-webhook.schema.ts';
import { pagerDutyBody } from '../../adapters/paging/pagerduty-events.ts';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import { alertIdOfIncident, pageEvent, pageTargetsFor, transitionOf } from '../../src/paging/page-plan.ts';
import { alertRecord } from '../helpers/alert-store.contract.ts';

const fleetText = (page: string) => `
version: 1
name: t
environments:
  prod: {}
  dev: {}
groups:
  eth: { chain: ethereum, network: devnet, client: ganache, desired_version: 7.9.2, rpc: { kind: eth } }
alerts:
  routes:
    - { env: prod, slack: C1, page: ${page} }
`;

describe('paging: fleet file', () => {
  it('accepts a PagerDuty target named by a CHAINOPS_SECRET_ variable and routes only matching alerts at or above page_at', () => {
    const r = parseFleet(fleetText('{ to: pagerduty, routing_key_env: CHAINOPS_SECRET_PD, page_at: warning }'));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    const f = r.fleet;
    assert.equal(pageTargetsFor(f, { env: 'prod', chain: 'ethereum', severity: 'critical' }).length, 1);
    assert.equal(pageTargetsFor(f, { env: 'prod', chain: 'ethereum', severity: 'warning' }).length, 1);
    assert.equal(pageTargetsFor(f, { env: 'prod', chain: 'ethereum', severity: 'info' }).length, 0, 'below page_at');
    assert.equal(pageTargetsFor(f, { env: 'dev', chain: 'ethereum', severity: 'critical' }).length, 0, 'no route for dev');
  });

  it('refuses any other variable name, a key written in the file, and a plain-http webhook off the machine', () => {
    for (const bad of [
      '{ to: pagerduty, routing_key_env: AWS_SECRET_ACCESS_KEY }',
      '{ to: pagerduty, routing_key: abcdef0123456789abcdef0123456789 }',
      '{ to: webhook, url: "http://pager.example.com/hook", secret_env: CHAINOPS_SECRET_HOOK }',
      '{ to: webhook, url: "https://user:pw@pager.example.com/hook", secret_env: CHAINOPS_SECRET_HOOK }',
    ]) {
      const r = parseFleet(fleetText(bad));
      assert.equal(r.ok, false, bad);
    }
    assert.ok(parseFleet(fleetText('{ to: webhook, url: "https://pager.example.com/hook", secret_env: CHAINOPS_SECRET_HOOK }')).ok);
  });
});

describe('paging: transitions and events', () => {
  it('maps saved alert states to pager transitions, never echoing what came from the pager', () => {
    assert.equal(transitionOf(alertRecord('al-00000001', { state: 'pending' })), undefined);
    assert.equal(transitionOf(alertRecord('al-00000001', { state: 'firing', posted: true })), 'trigger');
    assert.equal(transitionOf(alertRecord('al-00000001', { state: 'firing', posted: true, silence: { id: 'sl-1', until: 9, by: 'x' } })), undefined, 'muted');
    assert.equal(transitionOf(alertRecord('al-00000001', { state: 'firing', posted: false })), undefined, 'nobody was told');
    assert.equal(transitionOf(alertRecord('al-00000001', { state: 'acknowledged', ack: { by: 'slack:T/U', at: 1 } })), 'acknowledge');
    assert.equal(transitionOf(alertRecord('al-00000001', { state: 'acknowledged', ack: { by: 'pagerduty:Dana', at: 1 } })), undefined);
    assert.equal(transitionOf(alertRecord('al-00000001', { state: 'resolved', resolution: 'lag 0' })), 'resolve');
    assert.equal(transitionOf(alertRecord('al-00000001', { state: 'resolved', resolution: 'resolved in PagerDuty by Dana' })), undefined);
  });

  it('builds Events API v2 bodies: a full trigger, and acknowledge/resolve with only the dedup key', () => {
    const a = alertRecord('al-abcdefgh', { state: 'firing', severity: 'critical', firedAt: 0 });
    const trigger = pagerDutyBody('k'.repeat(32), pageEvent(a, 'trigger', 5));
    assert.equal(trigger.event_action, 'trigger');
    assert.equal(trigger.dedup_key, 'chainops-al-abcdefgh');
    const payload = trigger.payload as Record<string, unknown>;
    assert.equal(payload.severity, 'critical');
    assert.equal(payload.source, 'al-abcdefgh-node');
    assert.match(String(payload.summary), /^\[al-abcdefgh\] lag on al-abcdefgh-node \(prod\): lag 9 blocks/);
    assert.deepEqual(pagerDutyBody('k', pageEvent(a, 'resolve', 5)), { routing_key: 'k', event_action: 'resolve', dedup_key: 'chainops-al-abcdefgh' });
  });

  it('finds the alert of an incident by its incident key, or the id in its title', () => {
    assert.equal(alertIdOfIncident('chainops-al-abcdefgh', 'x'), 'al-abcdefgh');
    assert.equal(alertIdOfIncident(null, '[al-12345678] lag on eth-1'), 'al-12345678');
    assert.equal(alertIdOfIncident('something-else', 'no id here'), undefined);
  });
});

describe('paging: PagerDuty webhook v3', () => {
  const body = Buffer.from(JSON.stringify({ event: { id: 'e1', event_type: 'incident.acknowledged', resource_type: 'incident', agent: { summary: 'Dana', type: 'user_reference' }, data: { id: 'P1', type: 'incident', title: 't', incident_key: 'chainops-al-abcdefgh' } } }));

  it('verifies X-PagerDuty-Signature (v1= HMAC-SHA256 of the raw body), any one of several while a secret rotates', () => {
    assert.equal(verifyPagerDutySignature('s3cret', body, pagerDutySignature('s3cret', body)), true);
    assert.equal(verifyPagerDutySignature('s3cret', body, `${pagerDutySignature('old', body)},${pagerDutySignature('s3cret', body)}`), true);
    assert.equal(verifyPagerDutySignature('s3cret', body, pagerDutySignature('other', body)), false);
    assert.equal(verifyPagerDutySignature('s3cret', Buffer.concat([body, Buffer.from(' ')]), pagerDutySignature('s3cret', body)), false, 'body changed');
    assert.equal(verifyPagerDutySignature('s3cret', body, undefined), false);
    assert.equal(verifyPagerDutySignature('s3cret', body, 'v0=abc'), false);
  });

  it('reads acknowledged and resolved incidents of ChainOps alerts; ignores everything else', () => {
    const r = readPagerDutyWebhook(JSON.parse(body.toString()));
    assert.deepEqual(r, { ok: true, change: { kind: 'acknowledged', alertId: 'al-abcdefgh', by: 'Dana' }, eventId: 'e1' });
    assert.equal(readPagerDutyWebhook({ event: { event_type: 'incident.priority_updated', data: { incident_key: 'chainops-al-abcdefgh' } } }).ok, false);
    assert.equal(readPagerDutyWebhook({ event: { event_type: 'incident.resolved', data: { incident_key: 'other', title: 'not ours' } } }).ok, false);
    assert.equal(readPagerDutyWebhook({ nope: true }).ok, false);
  });
});
