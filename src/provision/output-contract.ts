import { z } from 'zod';
import { fleetNodeSchema, type FleetNode } from '../fleet/fleet.schema.ts';
import { envName, groupName, nodeName } from '../fleet/names.ts';

/** Name of the output every ChainOps-driven Terraform configuration exposes. */
export const OUTPUT_NAME = 'chainops_nodes';

/** Actual instance shape a module reports (any subset; compared with the group's shape by drift). */
const reportedShape = z.looseObject({
  cpu: z.number().nullish(),
  ram_gib: z.number().nullish(),
  disk_gib: z.number().nullish(),
  bandwidth_mbps: z.number().nullish(),
  instance_type: z.string().max(100).nullish(),
});

/**
 * One node of the output contract. Extra attributes are allowed (and ignored) so a module may expose
 * more than ChainOps reads; `ssh_*` are null for nodes ChainOps does not reach over SSH.
 */
export const contractNodeSchema = z.looseObject({
  name: nodeName,
  group: groupName,
  env: envName,
  rpc_url: z.string().url(),
  ssh_host: z.string().nullish(),
  ssh_port: z.number().int().min(1).max(65535).nullish(),
  ssh_user: z.string().nullish(),
  ssh_host_key: z.string().nullish(),
  shape: reportedShape.nullish(),
});
export type ContractNode = z.infer<typeof contractNodeSchema>;

/** A node read from Terraform outputs: the fleet node plus what Terraform says about its instance. */
export interface InventoryNode {
  node: FleetNode;
  shape?: { cpu?: number; ram_gib?: number; disk_gib?: number; bandwidth_mbps?: number; instance_type?: string };
}

export type ContractResult = { ok: true; nodes: InventoryNode[] } | { ok: false; problems: string[] };

/**
 * Read `chainops_nodes` (a list of objects, or a map of name → object) from `terraform output -json`
 * values and turn each entry into a fleet node validated exactly like a node of the fleet file.
 * `expect` pins env and group: a module that reports nodes of another group is miswired.
 */
export function readOutputContract(values: Record<string, unknown>, expect?: { env: string; group: string }): ContractResult {
  const raw = values[OUTPUT_NAME];
  if (raw === undefined) {
    return { ok: false, problems: [`the configuration has no output \`${OUTPUT_NAME}\` — add it (a list of {name, group, env, rpc_url, ssh_host, ssh_port, ssh_user, shape}); see README "Provisioning with Terraform"`] };
  }
  const entries: Array<[string, unknown]> = Array.isArray(raw)
    ? raw.map((v, i) => [`[${i}]`, v])
    : raw && typeof raw === 'object'
      ? Object.entries(raw as Record<string, unknown>).map(([k, v]) => [`["${k}"]`, v && typeof v === 'object' && !('name' in v) ? { ...v, name: k } : v])
      : [];
  if (!Array.isArray(raw) && (raw === null || typeof raw !== 'object')) {
    return { ok: false, problems: [`output \`${OUTPUT_NAME}\` must be a list or map of objects, not ${raw === null ? 'null' : typeof raw}`] };
  }
  const problems: string[] = [];
  const nodes: InventoryNode[] = [];
  const seen = new Set<string>();
  for (const [where, value] of entries) {
    const c = contractNodeSchema.safeParse(value);
    if (!c.success) {
      problems.push(...c.error.issues.map((i) => `${OUTPUT_NAME}${where}.${i.path.join('.')}: ${i.message}`));
      continue;
    }
    const n = c.data;
    if (expect && (n.env !== expect.env || n.group !== expect.group)) {
      problems.push(`${OUTPUT_NAME}${where}: node ${n.name} says ${n.env}/${n.group}, but this workspace is ${expect.env}/${expect.group} — pass var.env and var.group through to the output`);
      continue;
    }
    if (seen.has(n.name)) {
      problems.push(`${OUTPUT_NAME}${where}: node name ${n.name} appears twice`);
      continue;
    }
    seen.add(n.name);
    if (n.ssh_host && !n.ssh_user) {
      problems.push(`${OUTPUT_NAME}${where}: ${n.name} has ssh_host but no ssh_user`);
      continue;
    }
    const fleetNode = fleetNodeSchema.safeParse({
      name: n.name,
      group: n.group,
      env: n.env,
      rpc_url: n.rpc_url,
      ...(n.ssh_host ? { ssh: { host: n.ssh_host, port: n.ssh_port ?? 22, user: n.ssh_user, ...(n.ssh_host_key ? { host_key: n.ssh_host_key } : {}) } } : {}),
    });
    if (!fleetNode.success) {
      problems.push(...fleetNode.error.issues.map((i) => `${OUTPUT_NAME}${where}.${i.path.join('.')}: ${i.message}`));
      continue;
    }
    const shape = n.shape ? Object.fromEntries(Object.entries(n.shape).filter(([k, v]) => v !== null && v !== undefined && ['cpu', 'ram_gib', 'disk_gib', 'bandwidth_mbps', 'instance_type'].includes(k))) : undefined;
    nodes.push({ node: fleetNode.data, ...(shape && Object.keys(shape).length ? { shape } : {}) });
  }
  return problems.length ? { ok: false, problems } : { ok: true, nodes };
}
