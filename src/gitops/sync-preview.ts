import type { Message } from '../chat/message.ts';
import type { FleetProblem } from '../fleet/fleet.load.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';
import { noteMessage } from '../render/basic.messages.ts';
import { syncPreviewMessage, syncRefusedMessage } from '../render/sync.message.ts';
import { diffFleets, type FleetChange } from './fleet-diff.ts';
import type { FetchedFleet } from './fleet-source.port.ts';
import type { GitopsDeps } from './gitops.deps.ts';
import { weakenings } from './fleet-weakening.ts';

type Gitops = NonNullable<GitopsDeps['gitops']>;

/** What the fleet source holds compared with the fleet file in force. */
export type SyncLook =
  | { kind: 'invalid'; fetched: FetchedFleet; current: string; problems: FleetProblem[] }
  /** The source's revision is the one in force, or differs in nothing `diffFleets` shows. */
  | { kind: 'same'; fetched: FetchedFleet; current: string }
  | { kind: 'changed'; fetched: FetchedFleet; current: string; fleet: Fleet; changes: FleetChange[]; weak: string[] };

/**
 * Pull the fleet file from its source, validate it and compare it with the one in force — the one
 * look that `/chainops sync`, its Apply and the GitOps push announcer share. Throws what the source
 * throws (an unreachable repository).
 */
export async function lookAtSource(g: Gitops): Promise<SyncLook> {
  const fetched = await g.source.fetch();
  const { fleet: inForce, rev: current } = g.view.base();
  const parsed = g.view.parse(fetched.text);
  if (!parsed.ok) return { kind: 'invalid', fetched, current, problems: parsed.problems };
  const weak = weakenings(inForce, parsed.fleet);
  // Widened access and weakened approvals are listed first, each in full.
  const changes = [...weak.map((w) => ({ what: '⚠ second admin needed', before: '', after: w })), ...diffFleets(inForce, parsed.fleet)];
  if (fetched.rev === current || changes.length === 0) return { kind: 'same', fetched, current };
  return { kind: 'changed', fetched, current, fleet: parsed.fleet, changes, weak };
}

/** The message `/chainops sync` shows for a look: the preview with its Apply button, the refusal, or "nothing to sync". */
export function syncLookMessage(g: Gitops, look: SyncLook): Message {
  const { fetched, current } = look;
  const commit = fetched.commit ? { commit: fetched.commit } : {};
  if (look.kind === 'invalid') return syncRefusedMessage({ source: g.source.describe(), rev: fetched.rev, ...commit, current, problems: look.problems });
  if (look.kind === 'same') {
    return noteMessage(`The fleet file in force (${current}) matches ${g.source.describe()}${fetched.commit ? ` at ${fetched.commit.slice(0, 12)}` : ''}; nothing to sync.`, 'ok');
  }
  return syncPreviewMessage({ source: g.source.describe(), rev: fetched.rev, ...commit, current, changes: look.changes });
}
