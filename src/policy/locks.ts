/** The key of the one-change-at-a-time lock of an environment and group (commands, upgrades, provisioning). */
export function lockKey(env: string, group: string): string {
  return `${env}/${group}`;
}

const NODE_LEASE_PREFIX = 'node:';

/** The lease a job holds while it acts on one node (a rollout's playbook run and health gate). */
export function nodeLeaseKey(node: string): string {
  return `${NODE_LEASE_PREFIX}${node}`;
}

/** The node a lease key is about, or undefined for other locks. */
export function nodeOfLease(key: string): string | undefined {
  return key.startsWith(NODE_LEASE_PREFIX) ? key.slice(NODE_LEASE_PREFIX.length) : undefined;
}
