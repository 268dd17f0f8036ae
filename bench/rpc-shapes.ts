// Realistic answers (geth 1.14 on mainnet, Bitcoin Core 27) for the calls the checkers send,
// serialised once per refresh. Shapes follow what the nodes return, not just the fields ChainOps reads.

const HEAD_ETH = 20_123_456;
const HEAD_BTC = 850_123;

/** Deterministic 32-byte hex strings, so every run sends the same bytes. */
function hash(seed: number): string {
  let x = seed * 2654435761 + 1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + i) >>> 0;
    out += x.toString(16).padStart(8, '0');
  }
  return out;
}
const hex = (n: number) => `0x${n.toString(16)}`;

function ethBlock(head: number, nowMs: number, txs: number) {
  return {
    baseFeePerGas: '0x2a1f8c3b1',
    blobGasUsed: '0x40000',
    difficulty: '0x0',
    excessBlobGas: '0x0',
    extraData: '0x6265617665726275696c642e6f7267',
    gasLimit: '0x1c9c380',
    gasUsed: '0xd2f1a4',
    hash: `0x${hash(head)}`,
    logsBloom: `0x${'0'.repeat(512)}`,
    miner: '0x95222290dd7278aa3ddd389cc1e1d165cc4bafe5',
    mixHash: `0x${hash(head + 1)}`,
    nonce: '0x0000000000000000',
    number: hex(head),
    parentBeaconBlockRoot: `0x${hash(head + 2)}`,
    parentHash: `0x${hash(head - 1)}`,
    receiptsRoot: `0x${hash(head + 3)}`,
    sha3Uncles: '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347',
    size: '0x1a3b5',
    stateRoot: `0x${hash(head + 4)}`,
    timestamp: hex(Math.floor(nowMs / 1000) - 6),
    totalDifficulty: '0xc70d815d562d3cfa955',
    // An average mainnet block carries ~160 transactions; with `false` they come back as hashes.
    transactions: Array.from({ length: txs }, (_, i) => `0x${hash(head * 1000 + i)}`),
    transactionsRoot: `0x${hash(head + 5)}`,
    uncles: [],
    withdrawals: Array.from({ length: txs ? 16 : 0 }, (_, i) => ({
      index: hex(50_000_000 + i),
      validatorIndex: hex(900_000 + i * 37),
      address: '0xb9d7934878b5fb9610b3fe8a5e441e8fad7e293f',
      amount: hex(18_000_000 + i),
    })),
    withdrawalsRoot: `0x${hash(head + 6)}`,
  };
}

function btcResults(nowMs: number): Record<string, unknown> {
  const t = Math.floor(nowMs / 1000) - 120;
  const best = hash(HEAD_BTC);
  return {
    getblockchaininfo: {
      chain: 'main', blocks: HEAD_BTC, headers: HEAD_BTC, bestblockhash: best, difficulty: 83148355189239.77,
      time: t, mediantime: t - 3000, verificationprogress: 0.9999987, initialblockdownload: false,
      chainwork: `0000000000000000000000000000000000000000${hash(7).slice(0, 24)}`, size_on_disk: 651234567890,
      pruned: false, warnings: '',
    },
    getnetworkinfo: {
      version: 270000, subversion: '/Satoshi:27.0.0/', protocolversion: 70016, localservices: '0000000000000c09',
      localservicesnames: ['NETWORK', 'WITNESS', 'NETWORK_LIMITED', 'P2P_V2'], localrelay: true, timeoffset: 0,
      networkactive: true, connections: 10, connections_in: 0, connections_out: 10,
      networks: ['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns'].map((name) => ({
        name, limited: name !== 'ipv4' && name !== 'ipv6', reachable: name === 'ipv4' || name === 'ipv6', proxy: '', proxy_randomize_credentials: false,
      })),
      relayfee: 0.00001, incrementalfee: 0.00001, localaddresses: [], warnings: '',
    },
    uptime: 864_000,
    getblockheader: {
      hash: best, confirmations: 1, height: HEAD_BTC, version: 601202688, versionHex: '23d5c000',
      merkleroot: hash(11), time: t, mediantime: t - 3000, nonce: 2882377117, bits: '17034219',
      difficulty: 83148355189239.77, chainwork: `0000000000000000000000000000000000000000${hash(7).slice(0, 24)}`,
      nTx: 3127, previousblockhash: hash(HEAD_BTC - 1),
    },
  };
}

/**
 * method → JSON text of its `result`, for a node whose head was mined a few seconds before `nowMs`.
 * `blockTxs` is how many transaction hashes the latest block lists (160, a mainnet average, by
 * default; 0 gives a header-sized answer, to show what the block body costs).
 */
export function rpcResults(nowMs: number, blockTxs = 160): Record<string, string> {
  const head = HEAD_ETH + Math.floor(nowMs / 12_000) % 1000;
  const all: Record<string, unknown> = {
    eth_chainId: '0x1',
    web3_clientVersion: 'Geth/v1.14.3-stable-ab48ba42/linux-amd64/go1.22.1',
    eth_syncing: false,
    eth_blockNumber: hex(head),
    eth_getBlockByNumber: ethBlock(head, nowMs, blockTxs),
    net_peerCount: '0x32',
    ...btcResults(nowMs),
  };
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, JSON.stringify(v)]));
}
