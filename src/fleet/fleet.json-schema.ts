import { z } from 'zod';
import { fleetSchema } from './fleet.schema.ts';

/** JSON Schema of the fleet file as a person writes it (input side: durations as `5m` or seconds). */
export function fleetJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(fleetSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://chainops.dev/schema/chainops.yaml.json', title: 'ChainOps fleet file' };
}
