import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { PlanSummary, ResourceChange } from './terraform.port.ts';

/** The slice of `terraform show -json <planfile>` we read (Terraform's JSON output format v1). */
const showPlanSchema = z.looseObject({
  format_version: z.string(),
  resource_changes: z
    .array(
      z.looseObject({
        address: z.string(),
        mode: z.string().optional(),
        type: z.string(),
        name: z.string(),
        index: z.union([z.string(), z.number()]).optional(),
        change: z.looseObject({
          actions: z.array(z.string()),
          before: z.unknown().optional(),
          after: z.unknown().optional(),
          after_unknown: z.unknown().optional(),
        }),
      }),
    )
    .default([]),
});

/** Key-sorted JSON, so the same plan always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function actionOf(actions: string[]): ResourceChange['action'] | undefined {
  const a = [...actions].sort().join(',');
  if (a === 'create') return 'add';
  if (a === 'update') return 'change';
  if (a === 'delete') return 'destroy';
  if (a === 'create,delete') return 'replace';
  return undefined; // no-op, read
}

/**
 * Summary (add/change/destroy by type and name) and hash of a saved plan. The hash covers what
 * would change — each resource's address, actions, before/after values — and nothing that differs
 * between two runs of the same plan (timestamps, UI text), so re-planning an unchanged world gives
 * the same hash and any other difference voids an approval.
 */
export function summarizePlan(showJson: unknown): { summary: PlanSummary; hash: string } {
  const parsed = showPlanSchema.safeParse(showJson);
  if (!parsed.success) throw new Error(`terraform show -json gave an unexpected document: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const changes: ResourceChange[] = [];
  const hashed: unknown[] = [];
  for (const rc of parsed.data.resource_changes) {
    if (rc.mode === 'data') continue;
    const action = actionOf(rc.change.actions);
    if (!action) continue;
    changes.push({ address: rc.address, type: rc.type, name: rc.name, ...(rc.index !== undefined ? { key: String(rc.index) } : {}), action });
    hashed.push({ address: rc.address, actions: rc.change.actions, before: rc.change.before, after: rc.change.after, after_unknown: rc.change.after_unknown });
  }
  changes.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const count = (k: ResourceChange['action']) => changes.filter((c) => c.action === k).length;
  const replace = count('replace');
  const summary: PlanSummary = {
    add: count('add') + replace,
    change: count('change'),
    destroy: count('destroy') + replace,
    changes,
    empty: changes.length === 0,
  };
  return { summary, hash: sha256(canonicalJson(hashed.sort((a, b) => ((a as { address: string }).address < (b as { address: string }).address ? -1 : 1)))) };
}

/** `2 to add, 0 to change, 1 to destroy` */
export function countsText(s: PlanSummary): string {
  return `${s.add} to add, ${s.change} to change, ${s.destroy} to destroy`;
}

/** Values under `mask` paths that are `true` (Terraform's `after_sensitive` shape mirrors `after`). */
function masked(value: unknown, mask: unknown, out: unknown[]): void {
  if (mask === true) {
    out.push(value);
    return;
  }
  if (!mask || typeof mask !== 'object' || !value || typeof value !== 'object') return;
  for (const [k, m] of Object.entries(mask as Record<string, unknown>)) masked((value as Record<string, unknown>)[k], m, out);
}

/**
 * Every value a saved plan marks sensitive: sensitive outputs, sensitive variables, and resource
 * attributes under `after_sensitive`. The runner learns them at plan time, so the apply that follows
 * (and any provisioner that echoes one) is scrubbed before a line reaches chat or a log.
 */
export function sensitiveValues(showJson: unknown): unknown[] {
  const out: unknown[] = [];
  const doc = (showJson ?? {}) as {
    planned_values?: { outputs?: Record<string, { sensitive?: boolean; value?: unknown }> };
    variables?: Record<string, { value?: unknown }>;
    configuration?: { root_module?: { variables?: Record<string, { sensitive?: boolean }> } };
    resource_changes?: Array<{ change?: { after?: unknown; after_sensitive?: unknown; before?: unknown; before_sensitive?: unknown } }>;
  };
  for (const o of Object.values(doc.planned_values?.outputs ?? {})) if (o?.sensitive) out.push(o.value);
  for (const [name, v] of Object.entries(doc.configuration?.root_module?.variables ?? {})) if (v?.sensitive) out.push(doc.variables?.[name]?.value);
  for (const rc of doc.resource_changes ?? []) {
    masked(rc.change?.after, rc.change?.after_sensitive, out);
    masked(rc.change?.before, rc.change?.before_sensitive, out);
  }
  return out.filter((v) => v !== undefined && v !== null);
}
