// Command lines for bench/parse.bench.ts: realistic valid commands and mutated ones (typos, bad
// values, unknown flags, unclosed quotes), drawn from a seeded PRNG so every run parses the same text.

/** mulberry32: small, fast, good enough to pick test data; same seed → same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PREFIXES = ['/chainops ', '!chainops ', '<@U0123ABCD> ', '<@123456789012345678> ', ''];
const ENVS = ['dev', 'staging', 'prod'];
const GROUPS = ['geth-mainnet', 'nethermind-sepolia', 'bitcoind-main', 'litecoind-test'];
const VERSIONS = ['1.14.3', 'v1.14.4', '27.0.0', '0.21.2.1', '1.25.0-rc.1'];

type Pick = <T>(xs: readonly T[]) => T;

function valid(pick: Pick, n: () => number): string {
  const node = `${pick(['geth', 'btc', 'ltc', 'neth'])}-${n()}`;
  const templates = [
    () => `status --env ${pick(ENVS)}`,
    () => `nodes ${pick(GROUPS)}`,
    () => `health ${node}`,
    () => `upgrade ${pick(GROUPS)} ${pick(VERSIONS)} --env ${pick(ENVS)} --waves 1,25%,100%`,
    () => `upgrade ${node} ${pick(VERSIONS)} --dry-run`,
    () => `provision ${pick(GROUPS)} --env ${pick(ENVS)} --count ${1 + (n() % 20)}`,
    () => `lock ${pick(ENVS)} ${pick(GROUPS)} --for 2h --reason "disk swap on ${node}"`,
    () => `silence ${node} 30m --reason “noisy peer count”`,
    () => `rollout ${pick(['status', 'pause', 'resume', 'abort'])} ro-${n().toString(36)}abcd`,
    () => `job job-${n().toString(16)}f2a9 log`,
    () => `approve ap-7k2m${n()}`,
    () => `reject ap-7k2m${n()} --reason 'not during the freeze'`,
    () => `jobs --limit ${1 + (n() % 50)}`,
    () => `freeze prod --reason "incident 4711"`,
    () => 'help upgrade',
  ];
  return pick(templates)();
}

/** One mutation of a valid command: the kinds of mistakes people make in chat. */
function mutate(line: string, pick: Pick, n: () => number): string {
  const words = line.split(' ');
  const mutations = [
    () => [`${words[0]!.slice(0, -1)}${words[0]!.slice(-1) === 'e' ? 'a' : 'e'}`, ...words.slice(1)].join(' '), // verb typo
    () => `${line} --enviroment prod`, // unknown flag
    () => `${line} extra-arg`,
    () => line.replace(/[a-z]+-\d+/, (m) => m.toUpperCase()), // bad node name
    () => line.replace(/\d+\.\d+\.\d+/, '1.x'), // bad version
    () => `${line} --reason "unclosed`,
    () => line.toUpperCase(),
    () => `${words[0]} ${'a'.repeat(50 + (n() % 200))}`,
    () => words.slice(0, 1).join(' '), // missing required arguments
    () => `${pick(['statsu', 'upgarde', 'helth', 'nodez', 'xyzzy'])} ${words.slice(1).join(' ')}`,
  ];
  return pick(mutations)();
}

/** `count` command lines, about 60 % valid and 40 % mutated, each maybe with a chat prefix. */
export function commandCorpus(count: number, seed = 0xc0ffee): string[] {
  const rnd = prng(seed);
  const pick: Pick = (xs) => xs[Math.floor(rnd() * xs.length)]!;
  const n = () => Math.floor(rnd() * 1000);
  return Array.from({ length: count }, () => {
    const line = valid(pick, n);
    return pick(PREFIXES) + (rnd() < 0.6 ? line : mutate(line, pick, n));
  });
}
