import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { parseFleet, formatProblems } from '../../src/fleet/fleet.load.ts';
import { demoFleet } from '../../src/main/demo.ts';

/** Who may do what on a chat platform: role → ids in the fleet file's own notation. */
export interface ChatRoles {
  /** Where prod's alerts are routed (`alerts.routes`). @defaultValue the platform's `channel` */
  alertsChannel?: string;
  /** `TEAM/USER` (Slack), user ids (Discord). */
  approvers?: string[];
  operators?: string[];
  /** Discord guild role ids that make their members approvers. */
  approverRoles?: string[];
}

export interface E2eFleetOptions {
  /** rpc_url per demo node name (eth-1 … ltc-2); nodes not listed keep the template's URL (eth-4 is left out unless given). */
  urls?: Record<string, string>;
  slack?: ChatRoles & { channel: string };
  discord?: ChatRoles & { channel: string };
  /** Telegram chat id (`-100…`) and numeric user ids. */
  telegram?: ChatRoles & { channel: string };
  /** `health.interval` (e.g. `1s` for alert tests). @defaultValue the template's 10s */
  healthInterval?: string;
  /** Keep only these demo nodes (e.g. the three ganache ones). @defaultValue all but eth-4 */
  onlyNodes?: string[];
  /** The prod alert route's escalation target (`alerts.routes[0].page`). */
  page?: Record<string, unknown>;
  /** Further settings by path, e.g. `[['alerts', 'reminder'], 0]`. */
  set?: Array<[Array<string | number>, unknown]>;
}

/**
 * The demo fleet (examples/demo/chainops.yaml, rewritten like `npm run demo` does) plus what a chat
 * e2e test needs: prod's channel on the platform, chat identities mapped to roles, an alert route.
 * prod keeps the template's policy: 1 approval, approver role, no self-approval. Written to `dir`.
 */
export async function writeE2eFleet(dir: string, opts: E2eFleetOptions): Promise<string> {
  const doc = parseDocument(await demoFleet(opts.urls ?? {}));
  const route: Record<string, unknown> = { env: 'prod', console: 'console', ...(opts.page ? { page: opts.page } : {}) };
  if (opts.slack) {
    doc.setIn(['environments', 'prod', 'channels', 'slack'], opts.slack.channel);
    doc.setIn(['roles', 'approver', 'slack'], opts.slack.approvers ?? []);
    doc.setIn(['roles', 'operator', 'slack'], opts.slack.operators ?? []);
    route.slack = opts.slack.alertsChannel ?? opts.slack.channel;
  }
  if (opts.discord) {
    doc.setIn(['environments', 'prod', 'channels', 'discord'], opts.discord.channel);
    doc.setIn(['roles', 'approver', 'discord_users'], opts.discord.approvers ?? []);
    doc.setIn(['roles', 'approver', 'discord_roles'], opts.discord.approverRoles ?? []);
    doc.setIn(['roles', 'operator', 'discord_users'], opts.discord.operators ?? []);
    route.discord = opts.discord.alertsChannel ?? opts.discord.channel;
  }
  if (opts.telegram) {
    doc.setIn(['environments', 'prod', 'channels', 'telegram'], opts.telegram.channel);
    doc.setIn(['roles', 'approver', 'telegram'], opts.telegram.approvers ?? []);
    doc.setIn(['roles', 'operator', 'telegram'], opts.telegram.operators ?? []);
    route.telegram = opts.telegram.alertsChannel ?? opts.telegram.channel;
  }
  // What only `npm run demo` shows — eth-devnet's dev node eth-4, its promotion and static release list —
  // stays out unless a test asks for it (`onlyNodes`/`urls` for eth-4, `set` for the others): a chat
  // test should not see a release post or a dev stage it did not set up.
  doc.deleteIn(['groups', 'eth-devnet', 'promotion']);
  doc.deleteIn(['groups', 'eth-devnet', 'releases']);
  if (!opts.onlyNodes?.includes('eth-4') && !opts.urls?.['eth-4']) {
    const all = doc.get('nodes') as { items: Array<{ get(k: string): unknown }> };
    all.items = all.items.filter((n) => String(n.get('name')) !== 'eth-4');
  }
  doc.setIn(['alerts', 'routes'], [route]);
  if (opts.healthInterval) doc.setIn(['health', 'interval'], opts.healthInterval);
  if (opts.onlyNodes) {
    const keep = new Set(opts.onlyNodes);
    const nodes = doc.get('nodes') as { items: Array<{ get(k: string): unknown }> };
    nodes.items = nodes.items.filter((n) => keep.has(String(n.get('name'))));
  }
  for (const [path, value] of opts.set ?? []) doc.setIn(path, value);
  const text = doc.toString();
  // Fail here, with the fleet's own error lines, rather than as a bot that will not start.
  const parsed = parseFleet(text);
  if (!parsed.ok) throw new Error(`the e2e fleet is invalid:\n${formatProblems(parsed.problems)}`);
  const path = join(dir, 'chainops.yaml');
  await writeFile(path, text);
  return path;
}
