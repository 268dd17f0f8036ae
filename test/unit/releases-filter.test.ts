import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersionText, parseRange, satisfies } from '../../src/releases/semver.ts';
import { checkTagPattern, versionFromTag } from '../../src/releases/tag-pattern.ts';
import { filterReleases, mentionsSecurity } from '../../src/releases/release-filter.ts';
import { releaseSourceSchema } from '../../src/releases/release-source.schema.ts';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import type { RawRelease } from '../../src/releases/release.types.ts';

const yes = (v: string, r: string) => assert.equal(satisfies(v, r), true, `${v} should satisfy ${r}`);
const no = (v: string, r: string) => assert.equal(satisfies(v, r), false, `${v} should not satisfy ${r}`);

describe('semver ranges', () => {
  it('orders versions numerically, pre-releases before their release', () => {
    const sorted = ['1.10.0', '1.2.0', '1.2.0-rc.2', '1.2.0-rc.10', '1.2.0-beta', '0.21.2.1', '0.21.2'].sort(compareVersionText);
    assert.deepEqual(sorted, ['0.21.2', '0.21.2.1', '1.2.0-beta', '1.2.0-rc.2', '1.2.0-rc.10', '1.2.0', '1.10.0']);
  });
  it('>=1.2.0 <2', () => {
    yes('1.2.0', '>=1.2.0 <2'); yes('1.99.3', '>=1.2.0 <2');
    no('1.1.9', '>=1.2.0 <2'); no('2.0.0', '>=1.2.0 <2');
    no('2.0.0-rc.1', '>=1.2.0 <2'); // belongs to the 2 line
    yes('1.5.0', '>= 1.2.0 < 2');
  });
  it('^ caret', () => {
    yes('1.2.0', '^1.2'); yes('1.9.9', '^1.2'); no('2.0.0', '^1.2'); no('1.1.0', '^1.2');
    yes('0.2.5', '^0.2.3'); no('0.3.0', '^0.2.3');
    yes('0.0.3', '^0.0.3'); no('0.0.4', '^0.0.3');
  });
  it('~ tilde', () => {
    yes('1.2.3', '~1.2.3'); yes('1.2.9', '~1.2.3'); no('1.3.0', '~1.2.3'); no('1.2.2', '~1.2.3');
    yes('1.9.0', '~1'); no('2.0.0', '~1');
  });
  it('x ranges, *, exact and ||', () => {
    yes('1.0.0', '1.x'); yes('1.8.2', '1.x'); no('2.0.0', '1.x'); no('0.9.0', '1.x');
    yes('1.2.7', '1.2.x'); no('1.3.0', '1.2.x');
    yes('7.9.2', '*'); yes('0.0.1', '');
    yes('1.2.3', '1.2.3'); no('1.2.4', '1.2.3');
    yes('3.1.0', '^1 || ^3'); no('2.1.0', '^1 || ^3');
    yes('1.3.0', '>1.2'); no('1.2.9', '>1.2'); yes('1.2.9', '<=1.2'); no('1.3.0', '<=1.2');
  });
  it('refuses what it cannot read', () => {
    for (const bad of ['>=banana', '^^1', '1.2.3 - 2', 'x'.repeat(300)]) assert.equal(parseRange(bad), undefined, bad);
    assert.equal(satisfies('not-a-version', '*'), false);
  });
});

describe('tag patterns', () => {
  it('the default strips a leading v', () => {
    assert.equal(versionFromTag('v1.14.3', '^v?(.+)$'), '1.14.3');
    assert.equal(versionFromTag('7.9.2', '^v?(.+)$'), '7.9.2');
  });
  it('a custom pattern extracts the version from a prefixed tag, and misses others', () => {
    const p = '^lighthouse-v(\\d+\\.\\d+\\.\\d+)$';
    assert.equal(checkTagPattern(p), undefined);
    assert.equal(versionFromTag('lighthouse-v5.1.0', p), '5.1.0');
    assert.equal(versionFromTag('v5.1.0', p), undefined);
  });
  it('refuses patterns that are invalid, groupless, too long or can backtrack badly', () => {
    assert.match(checkTagPattern('^v?(.+$')!, /not a valid regular expression/);
    assert.match(checkTagPattern('^v.+$')!, /needs a group/);
    assert.match(checkTagPattern(`(${'a'.repeat(300)})`)!, /under 200/);
    assert.match(checkTagPattern('^(a+)+$')!, /repeats a group/);
    assert.match(checkTagPattern('^(\\d*)*$')!, /repeats a group/);
    assert.match(checkTagPattern('^(v)\\1$')!, /back-references/);
  });
  it('does not match tags longer than the bound', () => {
    assert.equal(versionFromTag(`v${'1.'.repeat(100)}0`, '^v?(.+)$'), undefined);
  });
});

describe('release filters', () => {
  const gh = (extra: object = {}) => releaseSourceSchema.parse({ source: 'github', repo: 'ethereum/go-ethereum', ...extra });
  const raw: RawRelease[] = [
    { tag: 'v1.14.3', name: 'Hydra Sigil (v1.14.3)', publishedAt: '2024-05-01T00:00:00Z', notes: 'Fixes CVE-2024-32972 in the p2p layer.' },
    { tag: 'v1.14.4-rc.1', prerelease: true },
    { tag: 'v1.15.0-beta' },
    { tag: 'v1.14.5', draft: true },
    { tag: 'v2.0.0' },
    { tag: 'v1.13.0' },
    { tag: 'nightly' },
    { tag: 'v1.14.3;rm -rf' },
    { tag: 'v1.14.2', notes: 'Minor fixes' },
    { tag: 'v1.14.2', notes: 'duplicate entry' },
  ];
  it('keeps releases in range, drops drafts, pre-releases, duplicates and tags that are not versions; newest first', () => {
    const out = filterReleases(raw, gh({ range: '>=1.14.0 <2' }));
    assert.deepEqual(out.map((r) => r.version), ['1.14.3', '1.14.2']);
    assert.equal(out[0]!.security, true);
    assert.equal(out[1]!.security, false);
    assert.equal(out[0]!.name, 'Hydra Sigil (v1.14.3)');
  });
  it('admits pre-releases when asked (GitHub flag or a -rc/-beta tag)', () => {
    const out = filterReleases(raw, gh({ range: '^1.14', prereleases: true }));
    assert.deepEqual(out.map((r) => [r.version, r.prerelease]), [['1.15.0-beta', true], ['1.14.4-rc.1', true], ['1.14.3', false], ['1.14.2', false]]);
  });
  it('spots security fixes in the notes, case-insensitive', () => {
    for (const t of ['SECURITY release', 'fixes a Vulnerability', 'see cve-2024-1234', 'several vulnerabilities']) assert.equal(mentionsSecurity(t), true, t);
    for (const t of ['insecurely named variable renamed', 'performance', undefined]) assert.equal(mentionsSecurity(t), false, String(t));
  });
});

describe('releases: in the fleet file', () => {
  const fleetWith = (releases: unknown) => parseFleet(JSON.stringify({
    version: 1, name: 't', environments: { dev: {} },
    groups: { g: { chain: 'ethereum', network: 'devnet', client: 'geth', desired_version: '1.0.0', rpc: { kind: 'eth' }, releases } },
  }));
  it('accepts the three sources with defaults', () => {
    const r = fleetWith({ source: 'github', repo: 'ethereum/go-ethereum' });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    const rel = r.fleet.groups['g']!.releases!;
    assert.equal(rel.range, '*');
    assert.equal(rel.prereleases, false);
    assert.equal(rel.interval, 600_000);
    assert.equal(rel.source === 'github' && rel.tag_pattern, '^v?(.+)$');
    assert.ok(fleetWith({ source: 'npm', package: 'ganache', range: '^7', interval: '5m' }).ok);
    assert.ok(fleetWith({ source: 'static', versions: ['7.9.1', { version: '7.9.2', notes: 'security fix' }] }).ok);
  });
  it('refuses a bad range, an unsafe pattern, a token in the file and a too-short interval, naming the path', () => {
    for (const bad of [
      { source: 'npm', package: 'ganache', range: '>=banana' },
      { source: 'github', repo: 'a/b', tag_pattern: '^(a+)+$' },
      { source: 'github', repo: 'a/b', token: 'ghp_x' },
      { source: 'npm', package: 'ganache', interval: '10s' },
      { source: 'gitlab', repo: 'a/b' },
    ]) {
      const r = fleetWith(bad);
      assert.equal(r.ok, false, JSON.stringify(bad));
      assert.match(JSON.stringify(!r.ok && r.problems), /releases/, JSON.stringify(bad));
    }
  });
});
