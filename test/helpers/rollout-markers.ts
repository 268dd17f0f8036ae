import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoHosts } from '../../adapters/local/demo-hosts.ts';

/**
 * Make every playbook run leave a trace on its host: a line `<rollout> <version>` appended to
 * `marker.log` (the playbook's own marker), and each restart's begin/end time in `actions.log`
 * (the control script wrapped), so tests can count runs per node and see overlapping restarts.
 */
export function markRuns(playbook: string, hosts: DemoHosts): void {
  appendFileSync(playbook, `
    - name: Leave a marker per run (tests count runs per node)
      ansible.builtin.shell: echo "{{ chainops_rollout }} {{ chainops_version }}" >> "{{ demo_root }}/marker.log"
      when: not ansible_check_mode
`);
  for (const h of hosts.hosts) {
    const ctl = join(h.ssh.root, 'bin/nodectl');
    const real = `${ctl}.real`;
    writeFileSync(real, readFileSync(ctl), { mode: 0o755 });
    writeFileSync(ctl, `#!/usr/bin/env bash\necho "begin $(date +%s%3N) $$" >> ${h.ssh.root}/actions.log\n${real} "$@"; rc=$?\necho "end $(date +%s%3N) $$" >> ${h.ssh.root}/actions.log\nexit $rc\n`, { mode: 0o755 });
  }
}

/** Runs of `rollout` per host name, from the hosts' marker files. */
export function runsOf(hosts: DemoHosts, rollout: string): Record<string, number> {
  return Object.fromEntries(hosts.hosts.map((h) => {
    const file = join(h.ssh.root, 'marker.log');
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
    return [h.name, lines.filter((l) => l.split(' ')[0] === rollout).length];
  }));
}

/** All marker lines on all hosts (to prove nothing ran). */
export function allMarkers(hosts: DemoHosts): string {
  return hosts.hosts.map((h) => {
    const file = join(h.ssh.root, 'marker.log');
    return `${h.name}: ${existsSync(file) ? readFileSync(file, 'utf8') : ''}`;
  }).join('\n');
}

/**
 * The most restarts in progress at once across all hosts, from the wrapped control scripts' spans
 * (a restart is when a node is down).
 */
export function maxConcurrentRestarts(hosts: DemoHosts): number {
  const events: Array<[number, number]> = [];
  for (const h of hosts.hosts) {
    const file = join(h.ssh.root, 'actions.log');
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
      const [kind, at] = line.split(' ');
      if (kind === 'begin') events.push([Number(at), 1]);
      else if (kind === 'end') events.push([Number(at), -1]);
    }
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, (now += d));
  return max;
}
