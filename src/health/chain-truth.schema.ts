import { z } from 'zod';
import { version } from '../fleet/names.ts';

const label = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * A scheduled hard fork (`forks:` in the fleet file): when it activates on a chain and network, by
 * time or by height, and the least version of each client that follows it.
 */
export const forkSchema = z
  .object({
    name: z.string().regex(label, 'use a fork name such as prague or osaka'),
    chain: z.string().regex(label, 'use a chain name such as ethereum'),
    network: z.string().regex(label, 'use a network name such as mainnet or sepolia'),
    time: z
      .union([z.iso.datetime({ offset: true }), z.number().int().positive()])
      .transform((v) => (typeof v === 'number' ? v * 1000 : Date.parse(v)))
      .optional()
      .describe('activation time: ISO 8601 (2026-05-07T10:00:00Z) or Unix seconds'),
    height: z.number().int().nonnegative().optional().describe('activation block height (Bitcoin family, pre-Merge forks)'),
    min_versions: z
      .record(z.string().regex(label, 'use a client name such as geth, anvil, hardhat'), version)
      .refine((m) => Object.keys(m).length > 0, 'name at least one client and its minimum version')
      .describe('least version per client that supports the fork, e.g. { geth: 1.15.0, ganache: 7.9.2 }'),
  })
  .strict()
  .refine((f) => (f.time === undefined) !== (f.height === undefined), { message: 'give exactly one of time or height', path: ['time'] });

export type Fork = z.infer<typeof forkSchema>;

/** `chain_truth:` settings of the fleet file; every field has a default. */
export const chainTruthSchema = z
  .object({
    split_skip: z
      .array(z.string().regex(/^[a-z][a-z0-9-]{0,31}\/[a-z][a-z0-9-]{0,31}$/, 'use chain/network, e.g. ethereum/devnet'))
      .default([])
      .describe('chain/network pairs whose nodes are separate chains on purpose (local devnets): no chain-split check; default none'),
    supermajority_pct: z.number().min(1).max(100).default(66).describe('client_supermajority fires when one client runs more than this share of a chain’s nodes; default 66'),
    fork_watch: z
      .string()
      .regex(/^\d+(s|m|h|d)$/, 'use a duration such as 6h or 1d')
      .default('1d')
      .describe('how long after a fork activates fork_stalled watches for nodes that stopped advancing; default 1d'),
  })
  .strict();

export type ChainTruthSettings = z.infer<typeof chainTruthSchema>;
