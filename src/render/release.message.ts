import type { Block, Button, Message } from '../chat/message.ts';
import type { Release } from '../releases/release.types.ts';
import { ago } from './basic.messages.ts';

/** A node that runs an older version than the release (from its latest health snapshot). */
export interface OlderNode {
  node: string;
  env: string;
  version: string;
}

export interface ReleasePostInput {
  group: string;
  client: string;
  release: Release;
  /** `GitHub owner/repo`, `npm ganache`, `the static list`. */
  source: string;
  older: OlderNode[];
  /** Nodes of the group that have no snapshot yet (their version is unknown). */
  unknown: number;
  /** Environment the Upgrade button upgrades (first promotion stage, or dev); no button without one. */
  upgradeEnv?: string;
  /** Set once someone ignored the version: the post says so and loses its buttons. */
  ignoredBy?: string;
}

const MAX_NODES_LISTED = 15;

/** The one post per group and version: what was released, whether it is a security fix, who runs older. */
export function releasePostMessage(p: ReleasePostInput): Message {
  const r = p.release;
  const security = r.security ? ' 🔒 security' : '';
  const title = `New ${p.client} release ${r.version} for ${p.group}${security}`;
  const fields = [
    { label: 'group', value: p.group },
    { label: 'version', value: r.version + (r.prerelease ? ' (pre-release)' : '') },
    { label: 'published', value: r.publishedAt ?? 'unknown' },
    { label: 'source', value: p.source },
  ];
  if (r.security) fields.push({ label: 'security', value: 'the release notes mention a security fix (security/CVE/vulnerability)' });
  const blocks: Block[] = [{ type: 'fields', fields }];
  const named = r.name && r.name !== r.version && r.name !== r.tag ? `**${r.name}**` : undefined;
  if (named || r.url) blocks.push({ type: 'text', text: [named, r.url].filter(Boolean).join(' — ') });
  blocks.push({ type: 'text', text: olderText(p) });
  if (p.ignoredBy) {
    blocks.push({ type: 'context', text: `🙈 Ignored by ${p.ignoredBy}: it is no longer offered for this group.` });
  } else {
    const buttons: Button[] = [];
    if (p.upgradeEnv) buttons.push({ actionId: 'release-upgrade-dev', label: `Upgrade ${p.upgradeEnv}`, value: `${p.group} ${r.version} --env ${p.upgradeEnv}`, style: 'primary' });
    buttons.push({ actionId: 'release-promote', label: 'Start promotion', value: `${p.group} ${r.version}` });
    buttons.push({ actionId: 'release-ignore', label: 'Ignore this version', value: `${p.group} ${r.version}`, confirm: { title: `Ignore ${r.version}?`, text: `${p.group} will not be offered ${r.version} again; \`/chainops releases\` still lists it, marked ignored.` } });
    blocks.push({ type: 'actions', buttons });
  }
  return {
    text: `${title}${r.url ? ` — ${r.url}` : ''}`,
    severity: r.security ? 'warn' : 'info',
    blocks: [{ type: 'header', text: title.slice(0, 140) }, ...blocks],
  };
}

function olderText(p: ReleasePostInput): string {
  const unknown = p.unknown ? ` (${p.unknown} node${p.unknown === 1 ? '' : 's'} not checked yet)` : '';
  if (!p.older.length) return `No node of ${p.group} runs an older version${unknown}.`;
  const shown = p.older.slice(0, MAX_NODES_LISTED).map((n) => `${n.node} (${n.env}, ${n.version})`).join(', ');
  const more = p.older.length > MAX_NODES_LISTED ? ` and ${p.older.length - MAX_NODES_LISTED} more` : '';
  return `Running an older version: ${shown}${more}${unknown}.`;
}

export interface ReleaseListGroup {
  group: string;
  /** `GitHub owner/repo · range ^7 · pre-releases off`; undefined: the group has no source. */
  source?: string;
  releases: Release[];
  ignored: string[];
  desired: string;
  /** env → versions its nodes run now (from snapshots). */
  running: Record<string, string[]>;
  polledAt?: number;
  error?: string;
  retryAt?: number;
}

const MAX_ROWS = 10;

/** `releases [group]`: per group the newest known releases, marks for ignored/security and where each runs. */
export function releasesListMessage(groups: ReleaseListGroup[], now: number): Message {
  const blocks: Block[] = [];
  for (const g of groups) {
    if (!g.source) {
      blocks.push({ type: 'text', text: `**${g.group}** — no release source; add \`releases:\` to the group in the fleet file (docs/releases.md)` });
      continue;
    }
    const polled = g.polledAt ? `polled ${ago(now - g.polledAt)}` : 'not polled yet';
    const trouble = g.error ? ` · last poll failed: ${g.error}` : g.retryAt && g.retryAt > now ? ` · rate-limited, next poll in ${ago(g.retryAt - now).replace(' ago', '')}` : '';
    blocks.push({ type: 'text', text: `**${g.group}** — ${g.source} · ${polled}${trouble}` });
    if (!g.releases.length) {
      blocks.push({ type: 'context', text: g.polledAt ? 'no release matches the filters' : 'the release watch has not polled this source yet' });
      continue;
    }
    const rows = g.releases.slice(0, MAX_ROWS).map((r) => {
      const marks: string[] = [];
      if (g.ignored.includes(r.version)) marks.push('ignored');
      if (r.security) marks.push('security');
      if (r.prerelease) marks.push('pre-release');
      if (r.version === g.desired) marks.push('desired');
      const envs = Object.entries(g.running).filter(([, vs]) => vs.includes(r.version)).map(([e]) => e);
      return [r.version, r.publishedAt?.slice(0, 10) ?? '?', marks.join(', ') || '—', envs.join(', ') || '—'];
    });
    blocks.push({ type: 'table', columns: ['version', 'published', 'marks', 'runs in'], rows });
    if (g.releases.length > MAX_ROWS) blocks.push({ type: 'context', text: `…and ${g.releases.length - MAX_ROWS} older` });
  }
  if (!groups.length) blocks.push({ type: 'text', text: 'No groups.' });
  return { text: 'Releases', severity: 'info', blocks: [{ type: 'header', text: 'Releases' }, ...blocks] };
}
