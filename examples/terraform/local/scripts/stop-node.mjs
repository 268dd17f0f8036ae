// Stop one ganache node started by start-node.mjs: SIGTERM, SIGKILL after 10 s, remove the pid file.
// A pid that no longer belongs to a ganache process (reused by the OS) is left alone.
import { readFileSync, rmSync } from 'node:fs';

const s = JSON.parse(process.argv[2] ?? '{}');
let pid = NaN;
try {
  pid = Number(readFileSync(s.pid_file, 'utf8'));
} catch {
  console.log(`${s.name}: no pid file, nothing to stop`);
  process.exit(0);
}

if (isGanache(pid)) {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (isGanache(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isGanache(pid)) process.kill(pid, 'SIGKILL');
  console.log(`${s.name}: stopped pid ${pid}`);
} else {
  console.log(`${s.name}: pid ${pid} is not running`);
}
rmSync(s.pid_file, { force: true });

function isGanache(p) {
  if (!Number.isInteger(p) || p <= 0) return false;
  try {
    process.kill(p, 0);
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return false; // a zombie is already dead
    return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('ganache');
  } catch {
    return false;
  }
}
