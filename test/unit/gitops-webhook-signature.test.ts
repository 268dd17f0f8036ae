import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readPushWebhook, refMatches, type Headers } from '../../src/gitops/push-webhook.ts';

const SECRET = 'a-webhook-secret-of-some-length';
const push = (ref = 'refs/heads/main', after = 'f'.repeat(40)) => Buffer.from(JSON.stringify({ ref, after, checkout_sha: after, commits: [] }));
const sign = (raw: Buffer, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
const read = (headers: Headers, raw: Buffer, followedRef = 'main') => readPushWebhook({ headers, raw, secret: SECRET, followedRef });

test('GitHub: a push signed over the raw body with the secret is a push of `after` to the followed ref', () => {
  const raw = push();
  assert.deepEqual(read({ 'x-github-event': 'push', 'x-hub-signature-256': sign(raw) }, raw), { kind: 'push', provider: 'github', ref: 'refs/heads/main', after: 'f'.repeat(40) });
  // Upper-case hex is the same signature.
  assert.equal(read({ 'x-github-event': 'push', 'x-hub-signature-256': sign(raw).toUpperCase().replace('SHA256=', 'sha256=') }, raw).kind, 'push');
});

test('GitHub: a wrong secret, a changed body, a missing or malformed signature are refused', () => {
  const raw = push();
  const cases: Array<[string, Headers, Buffer]> = [
    ['wrong secret', { 'x-github-event': 'push', 'x-hub-signature-256': sign(raw, 'another-secret-entirely') }, raw],
    ['body changed after signing', { 'x-github-event': 'push', 'x-hub-signature-256': sign(raw) }, push('refs/heads/main', 'e'.repeat(40))],
    ['missing signature', { 'x-github-event': 'push' }, raw],
    ['sha1 signature only', { 'x-github-event': 'push', 'x-hub-signature': `sha1=${createHmac('sha1', SECRET).update(raw).digest('hex')}` }, raw],
    ['no prefix', { 'x-github-event': 'push', 'x-hub-signature-256': sign(raw).slice(7) }, raw],
    ['truncated', { 'x-github-event': 'push', 'x-hub-signature-256': sign(raw).slice(0, -2) }, raw],
    ['not hex', { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` }, raw],
    ['empty', { 'x-github-event': 'push', 'x-hub-signature-256': '' }, raw],
    ['no provider headers at all', {}, raw],
  ];
  for (const [what, headers, body] of cases) assert.equal(read(headers, body).kind, 'refused', what);
});

test('GitHub: ping answers, other events and other refs are authentic but ignored; a form-encoded payload is read', () => {
  const ping = Buffer.from(JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 }));
  assert.deepEqual(read({ 'x-github-event': 'ping', 'x-hub-signature-256': sign(ping) }, ping), { kind: 'ping', provider: 'github' });
  const raw = push('refs/heads/feature');
  const other = read({ 'x-github-event': 'push', 'x-hub-signature-256': sign(raw) }, raw);
  assert.equal(other.kind, 'ignored');
  assert.match((other as { reason: string }).reason, /refs\/heads\/feature, not main/);
  const pr = Buffer.from('{"action":"opened"}');
  assert.equal(read({ 'x-github-event': 'pull_request', 'x-hub-signature-256': sign(pr) }, pr).kind, 'ignored');
  const form = Buffer.from(`payload=${encodeURIComponent(push().toString())}`);
  assert.equal(read({ 'x-github-event': 'push', 'x-hub-signature-256': sign(form) }, form).kind, 'push');
  const junk = Buffer.from('not json');
  assert.equal(read({ 'x-github-event': 'push', 'x-hub-signature-256': sign(junk) }, junk).kind, 'ignored');
});

test('GitLab: the token equal to the secret is a push of checkout_sha; a wrong, empty or missing token is refused', () => {
  const raw = push('refs/heads/main', 'a'.repeat(40));
  assert.deepEqual(read({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET }, raw), { kind: 'push', provider: 'gitlab', ref: 'refs/heads/main', after: 'a'.repeat(40) });
  assert.equal(read({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': `${SECRET}x` }, raw).kind, 'refused');
  assert.equal(read({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET.slice(0, -1) }, raw).kind, 'refused');
  assert.equal(read({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': '' }, raw).kind, 'refused');
  assert.equal(read({ 'x-gitlab-event': 'Push Hook' }, raw).kind, 'refused');
  assert.equal(read({ 'x-gitlab-event': 'Tag Push Hook', 'x-gitlab-token': SECRET }, raw).kind, 'ignored');
});

test('a GitHub signature header wins over a GitLab token: a valid token cannot excuse a forged signature', () => {
  const raw = push();
  assert.equal(read({ 'x-github-event': 'push', 'x-hub-signature-256': sign(raw, 'forged-secret-forged'), 'x-gitlab-token': SECRET, 'x-gitlab-event': 'Push Hook' }, raw).kind, 'refused');
});

test('refMatches: a branch or tag name, or a full ref', () => {
  assert.ok(refMatches('refs/heads/main', 'main'));
  assert.ok(refMatches('refs/tags/v1', 'v1'));
  assert.ok(refMatches('refs/heads/release/prod', 'refs/heads/release/prod'));
  assert.ok(!refMatches('refs/heads/main2', 'main'));
  assert.ok(!refMatches('refs/heads/feature/main', 'main'));
  assert.ok(!refMatches('refs/tags/main', 'refs/heads/main'));
});
