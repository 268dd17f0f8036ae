// Chaos item 4, the slow part (issue #8): a captured, correctly signed button click replayed inside
// Slack's 5-minute signature window but after the 15-second double-click window, with an added
// (unsigned) `X-Slack-Retry-Num` header. Slack never retries clicks, so the guard must not let a
// "retry" of one through (it did, until this test found it). Waits 16 s on purpose: time must pass.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { interactiveBody, postSigned } from '../helpers/slack-sign.ts';
import { SIGNING_SECRET, startSlackHarness, type SlackHarness } from '../stand-ins/slack-harness.ts';
import { blockActions } from '../stand-ins/slack-payloads.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';

let h: SlackHarness;
before(async () => {
  h = await startSlackHarness();
});
after(async () => h?.stop());

const clicks = () => h.dispatched.filter((d) => d.event.kind === 'action' && d.event.value === 'ap-replayed1').length;

test('a signed click replayed after 16 s with a forged X-Slack-Retry-Num is refused and not dispatched again', async () => {
  const body = interactiveBody(blockActions({ actionId: 'approve', value: 'ap-replayed1', user: 'U0BOB', messageTs: '1700000000.000100', responseUrl: h.standIn.responseUrl('replay') }));
  const ts = Math.floor(Date.now() / 1000);
  assert.equal((await postSigned(h.eventsUrl, SIGNING_SECRET, body, { timestamp: ts })).status, 200);
  await waitFor(async () => clicks() === 1, { what: 'the genuine click to be dispatched' });
  assert.equal((await postSigned(h.eventsUrl, SIGNING_SECRET, body, { timestamp: ts })).status, 401, 'a plain replay is refused at once');
  await new Promise((r) => setTimeout(r, 16_000)); // past the 15 s click window, well inside the 5-minute signature window
  const replay = await postSigned(h.eventsUrl, SIGNING_SECRET, body, { timestamp: ts, headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' } });
  assert.equal(replay.status, 401, 'a click is never retried by Slack: a "retry" of one is a replay');
  await new Promise((r) => setTimeout(r, 300)); // give a wrongly admitted replay time to be dispatched
  assert.equal(clicks(), 1, `the replay (HTTP ${replay.status}) was dispatched again`);
});
