import { z } from 'zod';
import { envName, groupName, nodeName } from '../fleet/names.ts';
import type { TfVars } from './terraform.port.ts';

/** The instance shape handed to a module (the group's `shape` from the fleet file). */
export const shapeSchema = z
  .object({
    cpu: z.number().int().positive().max(10_000),
    ram_gib: z.number().positive().max(1_000_000),
    disk_gib: z.number().positive().max(10_000_000),
    bandwidth_mbps: z.number().positive().max(10_000_000).optional(),
  })
  .strict();
export type Shape = z.infer<typeof shapeSchema>;

/**
 * Every value that reaches Terraform's argv, validated first: names use the fleet's tight patterns
 * (no quote, `$`, space, slash or leading dash), so nothing can be read as another flag or as HCL code.
 */
export const tfVarsSchema = z
  .object({
    env: envName,
    group: groupName,
    node_names: z.array(nodeName).max(1000).refine((a) => new Set(a).size === a.length, 'node names must be unique'),
    shape: shapeSchema.nullable(),
  })
  .strict();

/** Resource addresses we target for a decommission: `type.name["node-name"]` or `module.x.type.name[0]`. */
export const targetAddress = z
  .string()
  .max(300)
  .regex(/^(?:module\.[A-Za-z0-9_-]+(?:\["[a-z0-9-]+"\]|\[\d+\])?\.)*[A-Za-z0-9_]+\.[A-Za-z0-9_-]+(?:\["[a-z0-9-]+"\]|\[\d+\])?$/, 'not a resource address');

/**
 * `-var` arguments for the module contract (env, group, node_names, shape). Lists and objects are
 * written as JSON, which HCL reads as the same list/object literal.
 */
export function varArgs(vars: TfVars): string[] {
  const v = tfVarsSchema.parse(vars);
  return [
    `-var=env=${v.env}`,
    `-var=group=${v.group}`,
    `-var=node_names=${JSON.stringify(v.node_names)}`,
    `-var=shape=${v.shape ? JSON.stringify(v.shape) : 'null'}`,
  ];
}
