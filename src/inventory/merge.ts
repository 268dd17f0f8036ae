import type { Fleet, FleetNode } from '../fleet/fleet.schema.ts';
import type { InventoryRecord } from './terraform-inventory.ts';

export interface MergedFleet {
  fleet: Fleet;
  /** Names of nodes that came from Terraform outputs. */
  terraformNodes: Set<string>;
  /** Terraform nodes left out, and why (name clash with the file, group or env not defined). */
  problems: string[];
}

/**
 * The fleet as ChainOps runs it: nodes listed in the fleet file, then nodes read from Terraform
 * outputs. A file-listed node wins a name clash; a Terraform node of an unknown group or
 * environment is left out. Each left-out node is reported, never silently dropped.
 */
export function mergeInventory(fleet: Fleet, records: InventoryRecord[]): MergedFleet {
  const nodes: FleetNode[] = [...fleet.nodes];
  const names = new Set(nodes.map((n) => n.name));
  const terraformNodes = new Set<string>();
  const problems: string[] = [];
  for (const r of records) {
    for (const { node } of r.nodes) {
      if (names.has(node.name)) {
        problems.push(`${node.name} (Terraform ${r.env}/${r.group}) has the name of a node in the fleet file or another workspace; the first one is kept`);
        continue;
      }
      if (!fleet.groups[node.group]) {
        problems.push(`${node.name} (Terraform ${r.env}/${r.group}) belongs to group ${node.group}, which the fleet file does not define`);
        continue;
      }
      if (!fleet.environments[node.env]) {
        problems.push(`${node.name} (Terraform ${r.env}/${r.group}) belongs to environment ${node.env}, which the fleet file does not define`);
        continue;
      }
      names.add(node.name);
      terraformNodes.add(node.name);
      nodes.push(node);
    }
  }
  return { fleet: { ...fleet, nodes }, terraformNodes, problems };
}
