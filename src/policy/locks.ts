/** The key of the one-change-at-a-time lock of an environment and group (commands, upgrades, provisioning). */
export function lockKey(env: string, group: string): string {
  return `${env}/${group}`;
}
