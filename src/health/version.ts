/** A client name and normalised version read from a node's version string. */
export interface ClientVersion {
  /** Lower case: `geth`, `ganache`, `nethermind`, `satoshi`, `litecoincore`. */
  client: string;
  /** `1.14.3`, `0.2.0-beta.5`; no leading `v`, no build metadata, no commit hash. */
  version: string;
}

// Pre-release tags worth keeping: `-stable-<hash>` is noise, `-beta.5` or `-rc.1` changes what runs.
const CORE = /^v?(\d+(?:\.\d+){0,3})(-(?:alpha|beta|rc|pre|unstable)(?:[.-]?\d+)*)?(?![0-9A-Za-z])/i;
// Bitcoin Core family BIP-14 user agent: `/Satoshi:27.0.0/` or `/Satoshi:0.21.0(comment)/Knots:…/`.
const BIP14 = /^\/([^:/()]+):([^/()]+)/;

/** Parses `Geth/v1.14.3-stable-abc/linux-amd64/go1.22.1` or `/Satoshi:27.0.0/`; undefined if unrecognised. */
export function parseClientVersion(raw: string): ClientVersion | undefined {
  const text = raw.trim();
  const bip14 = BIP14.exec(text);
  if (bip14) {
    const version = normalise(bip14[2] ?? '');
    return version ? { client: clientName(bip14[1] ?? ''), version } : undefined;
  }
  // Execution clients: `Name/vX.Y.Z…/os-arch/runtime`; the version is the first segment that parses.
  const [name, ...rest] = text.split('/');
  if (!name) return undefined;
  for (const part of rest) {
    const version = normalise(part);
    if (version) return { client: clientName(name), version };
  }
  return undefined;
}

/** True when two versions name the same release, ignoring a leading `v` and `+build` metadata. */
export function sameVersion(a: string, b: string): boolean {
  return strip(a) === strip(b);
}

function normalise(part: string): string | undefined {
  const m = CORE.exec(part.trim());
  if (!m) return undefined;
  return `${m[1]}${(m[2] ?? '').toLowerCase()}`;
}

function strip(v: string): string {
  return v.trim().replace(/^v/i, '').replace(/\+.*$/, '').toLowerCase();
}

function clientName(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, '-');
}

/**
 * Order two release versions (`1.14.3`, `v1.14.3-rc.1`, `0.21.2.1`): numeric parts first, and a
 * pre-release before its release. Negative when `a` is older, 0 when equal, undefined when either
 * is not a release version.
 */
export function compareVersions(a: string, b: string): number | undefined {
  const pa = /^(\d+(?:\.\d+)*)(?:-([0-9a-z.-]+))?$/.exec(strip(a));
  const pb = /^(\d+(?:\.\d+)*)(?:-([0-9a-z.-]+))?$/.exec(strip(b));
  if (!pa || !pb) return undefined;
  const na = pa[1]!.split('.').map(Number);
  const nb = pb[1]!.split('.').map(Number);
  for (let i = 0; i < Math.max(na.length, nb.length); i++) {
    const d = (na[i] ?? 0) - (nb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (pa[2] === pb[2]) return 0;
  if (pa[2] === undefined) return 1;
  if (pb[2] === undefined) return -1;
  return pa[2] < pb[2] ? -1 : 1;
}

/** What an approver should notice about upgrading to `version` when the fleet wants `desired`. */
export function upgradeWarnings(version: string, desired: string | undefined): string[] {
  const out: string[] = [];
  const order = desired ? compareVersions(version, desired) : undefined;
  if (desired && order !== undefined && order < 0) out.push(`⚠ ${version} is older than the group's desired_version ${desired}: this is a downgrade`);
  if (/-(alpha|beta|rc|pre|unstable)/i.test(version)) out.push(`⚠ ${version} is a pre-release`);
  return out;
}
