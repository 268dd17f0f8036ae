import { createHash, randomBytes } from 'node:crypto';
import type { Conversation } from '../chat/chat-event.ts';
import type { Message } from '../chat/message.ts';
import { errorMessage } from '../errors.ts';
import type { AuditLog } from '../ports/audit.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { Outbox } from '../ports/outbox.port.ts';
import type { Logger } from '../pipeline/deps.ts';
import type { GitopsLedger } from './gitops-ledger.port.ts';
import type { GitopsDeps } from './gitops.deps.ts';
import { lookAtSource, syncLookMessage, type SyncLook } from './sync-preview.ts';

export interface PushAnnouncerOptions {
  gitops: NonNullable<GitopsDeps['gitops']>;
  /** Claims and look order shared by the replicas. */
  ledger: GitopsLedger;
  outbox: Outbox;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** Where previews go, read at each post (the fleet in force may name them). */
  channels: () => Conversation[];
  /** Quiet time after the last push before the source is looked at. @defaultValue 2000 ms */
  debounceMs?: number;
  /** A steady stream of pushes still gets a look at least this often. @defaultValue 10000 ms */
  maxWaitMs?: number;
  /** How long "this revision was previewed against that one" is remembered. @defaultValue 30 days */
  claimTtlMs?: number;
  /** How long a replica may take to queue a preview before its claim lapses and another may. @defaultValue 10 min */
  pendingTtlMs?: number;
}

/** What one look at the source ended in. */
export type LookOutcome = 'posted' | 'refusal-posted' | 'same' | 'already-previewed' | 'superseded' | 'no-channel' | 'unavailable' | 'failed';

/**
 * Turns "the fleet repository moved" (a verified webhook, or the poller) into one `sync` preview in
 * the ops channel, the same message `/chainops sync` shows, Apply button included. Pushes are
 * debounced, so a burst yields one look at the newest revision; a Redis claim per (revision in force,
 * revision seen) lets only one bot replica post it, and never twice once posted (a failed post gives
 * the claim back). A look that a later-started look (any replica) has overtaken posts nothing, so an
 * older revision is never posted after a newer one.
 */
export class PushAnnouncer {
  readonly #o: PushAnnouncerOptions;
  readonly #source: string;
  #timer: NodeJS.Timeout | undefined;
  #firstNudge: number | undefined;
  #reasons: string[] = [];
  #running: Promise<unknown> | undefined;
  #again = false;
  #poller: NodeJS.Timeout | undefined;
  #stopped = false;
  /** Pushes seen so far: a look during which one arrived fetches again before posting. */
  #nudges = 0;
  /** Who holds a claim: this announcer, not another replica. */
  readonly #owner = randomBytes(8).toString('hex');

  constructor(opts: PushAnnouncerOptions) {
    this.#o = opts;
    this.#source = createHash('sha256').update(opts.gitops.source.id).digest('hex').slice(0, 12);
  }

  /** Something says the source moved: look at it once things are quiet for `debounceMs`. */
  nudge(why: string): void {
    if (this.#stopped) return;
    this.#nudges++;
    const now = this.#o.clock.now();
    this.#firstNudge ??= now;
    if (!this.#reasons.includes(why)) this.#reasons.push(why);
    const debounce = this.#o.debounceMs ?? 2_000;
    const latest = this.#firstNudge + (this.#o.maxWaitMs ?? 10_000);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, Math.min(debounce, latest - now)));
    this.#timer.unref?.();
  }

  #fire(): void {
    this.#timer = undefined;
    this.#firstNudge = undefined;
    const r = this.#reasons;
    const why = r.length > 2 ? `${r.at(-1)}, after ${r.length - 1} more` : r.join(', ');
    this.#reasons = [];
    this.#run(why);
  }

  #run(why: string): void {
    // One look at a time; a push during a look earns one more look after it.
    if (this.#running) {
      this.#again = true;
      this.#reasons.push(why);
      return;
    }
    this.#running = this.check(why)
      .catch((err: unknown) => this.#o.logger.error({ err: errorMessage(err) }, 'gitops: looking at the fleet source failed'))
      .finally(() => {
        this.#running = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          // A push still in its quiet time takes the waiting reasons along when its timer fires.
          if (!this.#timer) this.#fire();
        }
      });
  }

  /** Resolves once no look is pending or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#timer || this.#running) {
      if (this.#running) await this.#running;
      else await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Look at the source now and post what changed, unless it is in force or already previewed. */
  async check(why: string): Promise<LookOutcome> {
    const outcome = await this.#look(why);
    this.#o.logger.debug({ outcome, why }, 'gitops push: looked at the source');
    return outcome;
  }

  async #look(why: string): Promise<LookOutcome> {
    const g = this.#o.gitops;
    const l = this.#o.ledger;
    let look: SyncLook;
    let ticket: number;
    // A push during the fetch may have moved the ref past what we got: fetch again (twice at most, so a
    // flood of replayed pushes cannot keep the preview from ever being posted).
    for (let attempt = 0; ; attempt++) {
      const nudges = this.#nudges;
      ticket = await l.startLook(this.#source); // a Redis failure is not a git failure: it goes to #run's log
      try {
        look = await lookAtSource(g);
      } catch (err) {
        this.#o.logger.warn({ err: errorMessage(err), why }, `gitops: could not pull the fleet file from ${g.source.describe()}; will look again on the next push or poll`);
        return 'unavailable';
      }
      if (this.#nudges === nudges || attempt >= 2) break;
    }
    const { fetched, current } = look;
    // Another replica's look that started after ours saw something else: that one is the news, not ours.
    if ((await l.sawRevision(this.#source, ticket, fetched.rev)) !== fetched.rev) return 'superseded';
    if (look.kind === 'same') return 'same';
    const channels = this.#o.channels();
    if (!channels.length) {
      this.#o.logger.warn({ rev: fetched.rev }, 'gitops: the fleet source moved but no channel is set for previews — set CHAINOPS_GITOPS_CHANNEL (docs/gitops.md)');
      return 'no-channel';
    }
    // Keyed by what is in force too: pushing back an older revision after another went in force is news again.
    const key = `preview:${this.#source}:${current}:${fetched.rev}`;
    if (!(await l.claim(key, this.#owner, this.#o.pendingTtlMs ?? 600_000))) return 'already-previewed';
    // Checked again now we hold the claim: a newer look that recorded meanwhile wins, and ours stays unposted.
    if ((await l.sawRevision(this.#source, 0, fetched.rev)) !== fetched.rev) {
      await this.#giveBack(key, fetched.rev);
      return 'superseded';
    }
    const message = withOrigin(syncLookMessage(g, look), why, fetched.commit);
    const where = channels.map((c) => `${c.platform}:${c.channelId}`).join(', ');
    const commit = fetched.commit ? ` (${fetched.commit.slice(0, 12)})` : '';
    try {
      for (const conversation of channels) {
        await this.#o.outbox.publish({ op: 'upsert', key: `gitops:${current}:${fetched.rev}:${conversation.platform}:${conversation.channelId}`, conversation, message });
      }
    } catch (err) {
      // Give the claim back so the next push or poll (here or on another replica) tries again; a channel
      // already posted to gets the same outbox key then, so its message is edited, not posted twice.
      await this.#giveBack(key, fetched.rev);
      this.#o.logger.error({ err: errorMessage(err), rev: fetched.rev }, `gitops: could not queue the preview of ${fetched.rev}; will try again on the next push or poll, and \`/chainops sync\` shows it`);
      await this.#o.audit.append({ at: this.#o.clock.now(), actor: 'system', action: 'gitops.preview', detail: `${fetched.rev}${commit}: preview to ${where} could not be queued (${errorMessage(err)}) — tried again on the next push or poll; \`/chainops sync\` shows it`.slice(0, 500), outcome: 'failed', ref: fetched.rev });
      return 'failed';
    }
    // Posted: hold the claim for good, so no replica posts this revision again. Should that fail, the
    // claim lapses and a later look re-sends under the same outbox key: an edit, not a second post.
    await l.keep(key, this.#owner, this.#o.claimTtlMs ?? 30 * 86_400_000).catch((err: unknown) =>
      this.#o.logger.warn({ err: errorMessage(err), rev: fetched.rev }, 'gitops: could not keep the preview claim; it lapses in a few minutes'));
    const detail = look.kind === 'invalid'
      ? `${fetched.rev}${commit} is invalid (${look.problems.length} problems); refusal posted to ${where}`
      : `${current} → ${fetched.rev}${commit}: ${look.changes.length} changes; preview posted to ${where}`;
    await this.#o.audit.append({ at: this.#o.clock.now(), actor: 'system', action: 'gitops.preview', detail: `${detail} (${why})`.slice(0, 500), outcome: look.kind === 'invalid' ? 'refused' : 'ok', ref: fetched.rev });
    this.#o.logger.info({ rev: fetched.rev, why, channels: where }, look.kind === 'invalid' ? 'gitops: posted the refusal of an invalid fleet file' : 'gitops: posted a sync preview');
    return look.kind === 'invalid' ? 'refusal-posted' : 'posted';
  }

  /** Give a claim back; if even that fails (Redis gone), it lapses after `pendingTtlMs` by itself. */
  async #giveBack(key: string, rev: string): Promise<void> {
    try {
      await this.#o.ledger.giveBack(key, this.#owner);
    } catch (err) {
      this.#o.logger.warn({ err: errorMessage(err), rev }, 'gitops: could not give back the preview claim; it lapses by itself');
    }
  }

  /** Poll the source every `ms` (0 = never), the fallback for pushes whose webhook never arrived. */
  startPolling(ms: number): void {
    if (ms <= 0 || this.#stopped) return;
    // A poll looks at once, not after the quiet time (frequent polls would keep pushing the look back),
    // and skips its turn while a push is being waited for or looked at.
    this.#poller = setInterval(() => {
      if (!this.#timer && !this.#running && !this.#stopped) this.#run('poll');
    }, ms);
    this.#poller.unref?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#poller) clearInterval(this.#poller);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}

/** Say why the preview appeared with nobody typing `sync`. */
function withOrigin(message: Message, why: string, commit: string | undefined): Message {
  const text = `Posted because the fleet repository moved${commit ? ` to ${commit.slice(0, 12)}` : ''} (${why}).`;
  const [first, ...rest] = message.blocks;
  return { ...message, blocks: first ? [first, { type: 'context', text }, ...rest] : [{ type: 'context', text }] };
}
