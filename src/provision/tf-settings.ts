import { isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import { UserError } from '../errors.ts';
import { terraformSettings, type Fleet, type NodeGroup } from '../fleet/fleet.schema.ts';
import type { TfVars, TfWorkDir } from './terraform.port.ts';

export type TerraformSettings = z.infer<typeof terraformSettings>;

const WORKSPACE_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** The fleet's `terraform:` section with every default filled in. */
export function tfSettings(fleet: Fleet): TerraformSettings {
  return fleet.terraform ?? terraformSettings.parse({});
}

/** Absolute root of the working dirs; relative paths resolve from `baseDir`, the fleet file's directory. */
export function tfRoot(fleet: Fleet, baseDir: string): string {
  return resolve(baseDir, tfSettings(fleet).dir);
}

/** Where saved plans, run logs and the CLI config file live. */
export function planDir(fleet: Fleet, baseDir: string): string {
  const s = tfSettings(fleet);
  if (!s.plan_dir) return join(tfRoot(fleet, baseDir), '.chainops');
  return resolve(baseDir, s.plan_dir);
}

/** The group's Terraform module, or a UserError that says how to add one. */
export function requireModule(fleet: Fleet, groupName: string): { group: NodeGroup; module: string } {
  const group = fleet.groups[groupName];
  if (!group) throw new UserError('not_found', `no group \`${groupName}\` in the fleet file`);
  if (!group.terraform?.module) {
    throw new UserError('not_found', `group \`${groupName}\` has no Terraform module — add \`terraform: { module: <dir> }\` to it in the fleet file (the dir is relative to terraform.dir)`);
  }
  return { group, module: group.terraform.module };
}

/** Working dir and workspace of an environment's group: `{env}-{group}` unless the fleet says otherwise. */
export function workDir(fleet: Fleet, env: string, groupName: string, baseDir: string): TfWorkDir {
  const { group, module } = requireModule(fleet, groupName);
  const workspace = tfSettings(fleet).workspace.replaceAll('{env}', env).replaceAll('{group}', group.terraform?.workspace ?? groupName);
  if (!WORKSPACE_RE.test(workspace)) {
    throw new UserError('config_invalid', `workspace name "${workspace}" for ${env}/${groupName} is not usable — use lowercase letters, digits and dashes (terraform.workspace)`);
  }
  const moduleDir = isAbsolute(module) ? module : join(tfRoot(fleet, baseDir), module);
  return { moduleDir, workspace, ...(group.terraform?.env ? { env: group.terraform.env } : {}) };
}

/** The module contract's variables for a group: env, group, the node names that should exist, shape. */
export function tfVarsFor(fleet: Fleet, env: string, groupName: string, nodeNames: string[]): TfVars {
  const g = fleet.groups[groupName];
  const shape = g?.shape ? { cpu: g.shape.cpu, ram_gib: g.shape.ram_gib, disk_gib: g.shape.disk_gib, ...(g.shape.bandwidth_mbps ? { bandwidth_mbps: g.shape.bandwidth_mbps } : {}) } : null;
  return { env, group: groupName, node_names: [...nodeNames].sort(), shape };
}

/** Pairs (env, group) whose group has a Terraform module. */
export function terraformGroups(fleet: Fleet): string[] {
  return Object.entries(fleet.groups).filter(([, g]) => g.terraform?.module).map(([name]) => name);
}
