// Config of the local Hardhat node started by adapters/local/hardhat.process.ts (tests and the demo).
// Hardhat insists on a config inside a project that has it installed, so it lives here; the chain id
// and mining interval come from the environment the process is started with.
const chainId = Number(process.env.CHAINOPS_HARDHAT_CHAIN_ID || 31337);
const interval = Number(process.env.CHAINOPS_HARDHAT_INTERVAL_MS || 0);
module.exports = {
  networks: {
    hardhat: { chainId, mining: interval > 0 ? { auto: false, interval } : { auto: true } },
  },
};
