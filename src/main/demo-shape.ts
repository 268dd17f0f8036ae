import { statfsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const GIB = 1024 ** 3;

/**
 * The instance shape of this machine, as the host-facts script will read it over SSH (online CPUs,
 * MemTotal, `df` of /): the demo's SSH hosts run here, so a fleet file that wants this shape shows no
 * capacity drift for the demo's own nodes.
 */
export function thisMachineShape(): { cpu: number; ram_gib: number; disk_gib: number } {
  const fs = statfsSync('/');
  return {
    cpu: Math.max(1, cpus().length),
    ram_gib: Math.max(1, Math.round(totalmem() / GIB)),
    disk_gib: Math.max(1, Math.round((fs.blocks * fs.bsize) / GIB)),
  };
}
