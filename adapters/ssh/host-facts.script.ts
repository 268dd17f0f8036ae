import { ChainopsError } from '../../src/errors.ts';
import type { HostFacts } from '../../src/ports/ssh.port.ts';
import { quoteArg } from './shell-quote.ts';

const PATH_RE = /^\/[A-Za-z0-9._/-]{0,255}$/;

/**
 * One fixed script, so facts cost one SSH session: CPUs, /proc/meminfo, /proc/loadavg, `df -P -k`
 * of `path`, and the link speed of the default-route NIC. Nothing from chat goes into it; `path` is
 * validated and quoted.
 */
export function hostFactsScript(path = '/'): string {
  if (!PATH_RE.test(path)) throw new ChainopsError('config_invalid', `host facts path ${JSON.stringify(path)} is not an absolute path of plain characters`);
  return [
    'LC_ALL=C; export LC_ALL',
    'getconf _NPROCESSORS_ONLN 2>/dev/null || nproc',
    'echo @@mem; cat /proc/meminfo',
    'echo @@load; cat /proc/loadavg',
    `echo @@df; df -P -k ${quoteArg(path)}`,
    'echo @@nic; i=$(awk \'$2 == "00000000" { print $1; exit }\' /proc/net/route 2>/dev/null); if [ -n "$i" ]; then cat "/sys/class/net/$i/speed" 2>/dev/null; fi',
    'true',
  ].join('\n');
}

/** Read the script's output; throws a ChainopsError naming the part that did not parse. */
export function parseHostFacts(text: string): HostFacts {
  const sections = new Map<string, string[]>();
  let current = 'cpu';
  sections.set(current, []);
  for (const line of text.split('\n')) {
    const m = /^@@(\w+)$/.exec(line.trim());
    if (m) sections.set((current = m[1]!), []);
    else sections.get(current)!.push(line);
  }
  const fail = (what: string) => new ChainopsError('rpc_error', `host facts: could not read ${what} from the host's answer`);
  const cpus = Number.parseInt(sections.get('cpu')?.find((l) => l.trim())?.trim() ?? '', 10);
  if (!(cpus > 0)) throw fail('the CPU count');
  const mem = (name: string) => {
    const line = sections.get('mem')?.find((l) => l.startsWith(`${name}:`));
    const kb = line ? Number.parseInt(line.slice(name.length + 1).trim(), 10) : Number.NaN;
    if (!Number.isFinite(kb)) throw fail(`${name} in /proc/meminfo`);
    return Math.floor(kb / 1024);
  };
  const load1 = Number.parseFloat(sections.get('load')?.find((l) => l.trim())?.trim().split(/\s+/)[0] ?? '');
  if (!Number.isFinite(load1)) throw fail('/proc/loadavg');
  // `df -P`: a header, then one line per filesystem; a long device name never wraps with -P.
  const dfLine = (sections.get('df') ?? []).filter((l) => l.trim()).at(1)?.trim().split(/\s+/);
  const blocks = Number.parseInt(dfLine?.[1] ?? '', 10);
  const pct = Number.parseInt((dfLine?.[4] ?? '').replace('%', ''), 10);
  if (!Number.isFinite(blocks) || !Number.isFinite(pct)) throw fail('`df -P`');
  const speed = Number.parseInt(sections.get('nic')?.find((l) => l.trim())?.trim() ?? '', 10);
  return {
    cpus,
    memTotalMiB: mem('MemTotal'),
    memAvailableMiB: mem('MemAvailable'),
    diskTotalGiB: Math.round((blocks / 1024 / 1024) * 100) / 100,
    diskUsedPct: pct,
    load1,
    ...(speed > 0 ? { nicSpeedMbps: speed } : {}),
  };
}
