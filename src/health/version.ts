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

// Names a client reports that differ from the name people use for it (Hardhat's node says `HardhatNetwork`).
const ALIASES: Record<string, string> = { hardhatnetwork: 'hardhat' };

function clientName(name: string): string {
  const clean = name.trim().toLowerCase().replace(/\s+/g, '-');
  return ALIASES[clean] ?? clean;
}

/**
 * Orders two versions: negative when `a` is older, 0 when the same release, positive when newer.
 * Numeric parts compare as numbers (`1.10.0` > `1.9.2`); a pre-release (`1.2.0-rc.1`) is older than
 * its release, as in SemVer.
 */
export function compareVersions(a: string, b: string): number {
  const [coreA = '', preA] = strip(a).split(/-(.*)/s);
  const [coreB = '', preB] = strip(b).split(/-(.*)/s);
  const pa = coreA.split('.').map(Number);
  const pb = coreB.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && Number.isFinite(d)) return d;
  }
  if (preA === undefined || preB === undefined) return preA === preB ? 0 : preA === undefined ? 1 : -1;
  return preA.localeCompare(preB, 'en', { numeric: true });
}

/** What an approver should notice about upgrading to `version` when the fleet wants `desired`. */
export function upgradeWarnings(version: string, desired: string | undefined): string[] {
  const out: string[] = [];
  const order = desired ? compareVersions(version, desired) : undefined;
  if (desired && order !== undefined && order < 0) out.push(`⚠ ${version} is older than the group's desired_version ${desired}: this is a downgrade`);
  if (/-(alpha|beta|rc|pre|unstable)/i.test(version)) out.push(`⚠ ${version} is a pre-release`);
  return out;
}
