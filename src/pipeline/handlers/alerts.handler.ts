import { alertOutboxItems } from '../../alerts/alert-outbox.ts';
import { updateAlert } from '../../alerts/alert-store.ops.ts';
import type { AlertNotice, Silence, SilenceKind } from '../../alerts/alert.types.ts';
import { acknowledge, muteAlert } from '../../alerts/lifecycle.ts';
import { compileRules } from '../../alerts/rules.ts';
import { silenceMatches } from '../../alerts/silences.ts';
import { UserError } from '../../errors.ts';
import { requireEnv } from '../../fleet/fleet.lookup.ts';
import type { AlertStore } from '../../ports/alert.port.ts';
import { alertsListMessage, alertTitle } from '../../render/alert.message.ts';
import { isoTime, noteMessage } from '../../render/basic.messages.ts';
import { num, str, type HandlerContext } from '../context.ts';

/** The alert store, or a plain refusal when this process was built without one. */
export function requireAlerts(ctx: HandlerContext): AlertStore {
  if (!ctx.deps.alerts) throw new UserError('not_implemented', 'alerts are not set up in this process (no alert store) — run the bot with Redis (`chainops bot`)');
  return ctx.deps.alerts;
}

/** Publish what a change shows in chat: the root edited in place and a line in the thread. */
export async function publishNotices(ctx: HandlerContext, notices: readonly AlertNotice[]): Promise<void> {
  const now = ctx.deps.clock.now();
  for (const n of notices) for (const item of alertOutboxItems(n, now)) await ctx.deps.outbox.publish(item);
}

/** `alerts [--env]`: firing and acknowledged alerts, the count still being confirmed, silences in force. */
export async function alertsHandler(ctx: HandlerContext): Promise<void> {
  const env = str(ctx, 'env');
  if (env) requireEnv(ctx.fleet, env);
  const store = requireAlerts(ctx);
  const [active, silences] = await Promise.all([store.active(), store.silences()]);
  const shown = active.filter((a) => !env || a.env === env).sort((a, b) => (a.firedAt ?? a.since) - (b.firedAt ?? b.since));
  await ctx.respond(alertsListMessage(shown, silences, ctx.deps.clock.now(), env));
}

/** `ack <alert>`: stop reminders and show who took it. */
export async function ackHandler(ctx: HandlerContext): Promise<void> {
  const store = requireAlerts(ctx);
  const id = str(ctx, 'id')!;
  const now = ctx.deps.clock.now();
  const r = await updateAlert(store, id, (a) => {
    const res = acknowledge(a, ctx.who, now);
    return res.ok ? res : res.why;
  });
  if (typeof r === 'string') throw new UserError('conflict', r);
  await publishNotices(ctx, r.notices);
  await ctx.deps.audit.append({ at: now, actor: ctx.who, action: 'alert.ack', detail: `${id} ${alertTitle(r.alert)}`, outcome: 'ok', ref: id });
  await ctx.respond(noteMessage(`Acknowledged ${id} (${alertTitle(r.alert)}). Reminders stop; it resolves by itself when the condition clears.`, 'ok'));
}

/** `silence <alert|node|group|rule> <duration> [--kind] [--reason]`: mute matching alerts until then. */
export async function silenceHandler(ctx: HandlerContext): Promise<void> {
  const store = requireAlerts(ctx);
  const target = str(ctx, 'target')!;
  const duration = num(ctx, 'duration')!;
  const reason = str(ctx, 'reason');
  const now = ctx.deps.clock.now();
  const { kind, match } = await resolveTarget(ctx, store, target, str(ctx, 'kind') as SilenceKind | undefined);
  const silence: Silence = {
    id: `sl-${ctx.deps.newId()}`, kind, match, label: target, by: ctx.who, createdAt: now, until: now + duration, ...(reason ? { reason } : {}),
  };
  await store.addSilence(silence);
  let muted = 0;
  for (const a of await store.active()) {
    if (!silenceMatches(silence, a)) continue;
    const r = await updateAlert(store, a.id, (cur) => {
      const res = muteAlert(cur, silence);
      return res.ok ? res : res.why;
    });
    if (typeof r === 'string') continue;
    muted++;
    await publishNotices(ctx, r.notices);
  }
  await ctx.deps.audit.append({ at: now, actor: ctx.who, action: 'alert.silence', detail: `${silence.id} ${kind} ${target} until ${isoTime(silence.until)}${reason ? ` — ${reason}` : ''}`, outcome: 'ok', ref: silence.id });
  await ctx.respond(noteMessage(
    `Silenced ${kind} ${target} until ${isoTime(silence.until)} (${silence.id}); ${muted} active alert${muted === 1 ? '' : 's'} muted now. Muted alerts post nothing, send no reminders and run no automatic remediation until then.`,
    'ok',
  ));
}

/** What a silence target names. An alert id wins; a name that is several things needs `--kind`. */
async function resolveTarget(ctx: HandlerContext, store: AlertStore, target: string, kind: SilenceKind | undefined): Promise<{ kind: SilenceKind; match: string }> {
  const found: Array<{ kind: SilenceKind; match: string }> = [];
  if ((!kind || kind === 'alert') && /^al-/.test(target)) {
    const alert = await store.get(target);
    if (alert) found.push({ kind: 'alert', match: alert.key });
  }
  if ((!kind || kind === 'node') && ctx.fleet.nodes.some((n) => n.name === target)) found.push({ kind: 'node', match: target });
  if ((!kind || kind === 'group') && target in ctx.fleet.groups) found.push({ kind: 'group', match: target });
  if ((!kind || kind === 'rule') && compileRules(ctx.fleet).some((r) => r.name === target)) found.push({ kind: 'rule', match: target });
  if (found.length === 0) {
    throw new UserError('not_found', `\`${target}\` is not ${kind ? `a known ${kind}` : 'an alert id, node, group or alert rule'} — see \`/chainops alerts\` and \`/chainops nodes\``);
  }
  if (found[0]!.kind === 'alert' || found.length === 1) return found[0]!;
  throw new UserError('parse_error', `\`${target}\` names a ${found.map((f) => f.kind).join(' and a ')} — add \`--kind ${found[0]!.kind}\` (or another) to say which`);
}
