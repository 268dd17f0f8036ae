import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClientVersion, sameVersion } from '../../src/health/version.ts';

describe('parseClientVersion', () => {
  const table: Array<[string, { client: string; version: string } | undefined]> = [
    ['Geth/v1.14.3-stable-abcdef12/linux-amd64/go1.22.1', { client: 'geth', version: '1.14.3' }],
    ['Geth/my-node/v1.13.15-stable-c5ba367e/linux-amd64/go1.21.6', { client: 'geth', version: '1.13.15' }],
    ['Geth/v1.14.4-unstable-a1b2c3d4/linux-amd64/go1.22.1', { client: 'geth', version: '1.14.4-unstable' }],
    ['Ganache/v7.9.2/EthereumJS TestRPC/v7.9.2/ethereum-js', { client: 'ganache', version: '7.9.2' }],
    ['Nethermind/v1.25.4+20b10b35/linux-x64/dotnet8.0.2', { client: 'nethermind', version: '1.25.4' }],
    ['erigon/2.59.0/linux-amd64/go1.21.6', { client: 'erigon', version: '2.59.0' }],
    ['besu/v24.1.0/linux-x86_64/openjdk-java-17', { client: 'besu', version: '24.1.0' }],
    ['reth/v0.2.0-beta.5-6b3e4a1c/x86_64-unknown-linux-gnu', { client: 'reth', version: '0.2.0-beta.5' }],
    ['/Satoshi:27.0.0/', { client: 'satoshi', version: '27.0.0' }],
    ['/Satoshi:0.21.0(my comment)/Knots:20210629/', { client: 'satoshi', version: '0.21.0' }],
    ['/LitecoinCore:0.21.2.1/', { client: 'litecoincore', version: '0.21.2.1' }],
    ['', undefined],
    ['garbage', undefined],
    ['Geth/linux-amd64/go1.22.1', undefined],
  ];
  for (const [raw, expected] of table) {
    it(`${JSON.stringify(raw)} → ${expected ? `${expected.client} ${expected.version}` : 'undefined'}`, () => {
      assert.deepEqual(parseClientVersion(raw), expected);
    });
  }
});

describe('sameVersion', () => {
  it('ignores a leading v', () => {
    assert.equal(sameVersion('v1.14.3', '1.14.3'), true);
    assert.equal(sameVersion('1.14.3', 'v1.14.3'), true);
  });
  it('ignores build metadata but not pre-release tags', () => {
    assert.equal(sameVersion('1.25.4+abc', '1.25.4'), true);
    assert.equal(sameVersion('0.2.0-beta.5', '0.2.0'), false);
  });
  it('tells different versions apart', () => {
    assert.equal(sameVersion('1.14.2', '1.14.3'), false);
    assert.equal(sameVersion('0.21.2.1', '0.21.2'), false);
  });
});
