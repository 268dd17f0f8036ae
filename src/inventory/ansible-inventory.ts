import type { Fleet, FleetNode } from '../fleet/fleet.schema.ts';

/** Host variables every generated inventory carries (playbooks may rely on them). */
export interface ChainopsHostVars {
  ansible_host: string;
  ansible_port: number;
  ansible_user: string;
  chainops_node: string;
  chainops_group: string;
  chainops_env: string;
  chainops_chain: string;
  chainops_network: string;
  chainops_client: string;
  chainops_rpc_url: string;
  [extra: string]: string | number | boolean;
}

type Hosts = Record<string, ChainopsHostVars>;
interface InventoryGroup { hosts?: Record<string, null | ChainopsHostVars>; children?: Record<string, InventoryGroup> }

/** Ansible group names allow letters, digits and `_` only. */
function groupId(...parts: string[]): string {
  return parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * An Ansible YAML inventory (as a plain object) for the given nodes: every host once under `all`,
 * with groups per node group, environment, chain and chain+env. Nodes without `ssh` are left out
 * (Ansible could not reach them); `skipped` names them.
 */
export function ansibleInventory(fleet: Fleet, nodes: FleetNode[] = fleet.nodes): { inventory: { all: InventoryGroup }; skipped: string[] } {
  const hosts: Hosts = {};
  const children: Record<string, InventoryGroup> = {};
  const skipped: string[] = [];
  const addTo = (group: string, host: string) => {
    const g = (children[group] ??= { hosts: {} });
    g.hosts![host] = null;
  };
  for (const node of [...nodes].sort((a, b) => a.name.localeCompare(b.name))) {
    const group = fleet.groups[node.group];
    if (!node.ssh || !group) {
      skipped.push(node.name);
      continue;
    }
    hosts[node.name] = {
      ...(node.ansible_vars ?? {}),
      ansible_host: node.ssh.host,
      ansible_port: node.ssh.port,
      ansible_user: node.ssh.user,
      chainops_node: node.name,
      chainops_group: node.group,
      chainops_env: node.env,
      chainops_chain: group.chain,
      chainops_network: group.network,
      chainops_client: group.client,
      chainops_rpc_url: node.rpc_url,
    };
    addTo(groupId(node.group), node.name);
    addTo(groupId('env', node.env), node.name);
    addTo(groupId('chain', group.chain), node.name);
    addTo(groupId(group.chain, node.env), node.name);
  }
  return { inventory: { all: { hosts, children } }, skipped };
}

/**
 * known_hosts lines for the nodes that pin a host key, so SSH under Ansible refuses any other key.
 * Nodes without `host_key` are returned in `unpinned`: a caller must refuse to run against them.
 */
export function knownHosts(nodes: FleetNode[]): { text: string; unpinned: string[] } {
  const lines: string[] = [];
  const unpinned: string[] = [];
  for (const n of nodes) {
    if (!n.ssh) continue;
    if (!n.ssh.host_key) {
      unpinned.push(n.name);
      continue;
    }
    const host = n.ssh.port === 22 ? n.ssh.host : `[${n.ssh.host}]:${n.ssh.port}`;
    lines.push(`${host} ${n.ssh.host_key}`);
  }
  return { text: lines.length ? `${lines.join('\n')}\n` : '', unpinned };
}
