// The one redactor: every secret the process read, in every form it can take on the way out, plus
// token shapes it never read; checked with the same scanner the e2e tests use.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor } from '../../src/secrets/redactor.ts';
import { secretsOfEnv } from '../../src/secrets/process-secrets.ts';
import { scanForSecrets, secretForms } from '../helpers/secret-scan.ts';

const PASSWORD = 'pw+Chaos/7"=x\\q&42';

describe('redactor', () => {
  it('removes a known secret in every form the scanner knows (as is, JSON, URL, form, hex, base64 at any offset)', () => {
    const r = new Redactor([PASSWORD]);
    for (const { form, needle } of secretForms(PASSWORD)) {
      for (const text of [`x ${needle} y`, `${needle}`, `Basic ${Buffer.from(`user:${PASSWORD}`).toString('base64')}`]) {
        const out = r.redact(text);
        assert.deepEqual(scanForSecrets({ PASSWORD }, [{ where: form, value: out }]), [], `${form}: ${out}`);
      }
    }
    const hexUpper = Buffer.from(PASSWORD).toString('hex').toUpperCase();
    assert.equal(r.redact(`h=${hexUpper}`), 'h=[redacted]');
  });

  it('removes token shapes it never read: Slack, Discord, GitHub, AWS, PEM keys, auth headers, URL credentials', () => {
    const r = new Redactor();
    const cases: Array<[string, RegExp]> = [
      ['token xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', /xoxb-1/],
      ['MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs', /ZnCjm1/],
      ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', /ghp_/],
      ['AKIAIOSFODNN7EXAMPLE', /AKIA/],
      ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----', /b3Blbn/],
      ['Authorization: Bearer abc.def.ghi-jkl', /abc\.def/],
      ['redis://:hunter22@redis.internal:6379', /hunter22/],
      ['{"password": "s3cr3t-value"}', /s3cr3t/],
    ];
    for (const [text, leaked] of cases) assert.doesNotMatch(r.redact(text), leaked, text);
  });

  it('leaves public host keys, hashes and paths alone', () => {
    const r = new Redactor();
    const line = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKx1Zb3cG0m1Q7w3n4Jm5yK8s9T2v6uPq1RrS0tUvWxY';
    assert.equal(r.redact(line), line);
    assert.equal(r.redact('sha256 0123456789abcdef0123456789abcdef0123456789abcdef'), 'sha256 0123456789abcdef0123456789abcdef0123456789abcdef');
    assert.equal(r.redact('/var/lib/chainops/plans/prod-eth.tfplan'), '/var/lib/chainops/plans/prod-eth.tfplan');
  });

  it('redactDeep redacts every string of a message or audit entry, and keeps its shape', () => {
    const r = new Redactor(['topsecret-1']);
    const m = { text: 'a topsecret-1', blocks: [{ type: 'code', text: 'x topsecret-1' }], n: 3, ok: true };
    assert.deepEqual(r.redactDeep(m), { text: 'a [redacted]', blocks: [{ type: 'code', text: 'x [redacted]' }], n: 3, ok: true });
  });

  it('the process secrets: chat tokens, names that say secret, the prefix and allowlist, the Redis password; not file paths', () => {
    const got = secretsOfEnv({
      SLACK_BOT_TOKEN: 'xoxb-aaaaaa', SLACK_SIGNING_SECRET: 'signsecret', DISCORD_TOKEN: 'discordtok', CHAINOPS_SECRET_X: 'prefixed-1',
      LTC_PW: 'allowlisted', CHAINOPS_SECRET_ALLOW: 'LTC_PW', REDIS_URL: 'rediss://:r3dis-pw@h:6380', CHAINOPS_SSH_KEY_FILE: '/keys/id', PATH: '/usr/bin',
    });
    for (const v of ['xoxb-aaaaaa', 'signsecret', 'discordtok', 'prefixed-1', 'allowlisted', 'r3dis-pw']) assert.ok(got.includes(v), v);
    assert.ok(!got.includes('/keys/id') && !got.includes('/usr/bin'));
    assert.ok(!got.includes('LTC_PW'), 'the allowlist itself is configuration, not a secret');
  });
});
