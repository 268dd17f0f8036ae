import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePruned as parseBytes, prunedText } from '../../adapters/rpc/json-prune.ts';

const parsePruned = (text: string, keys?: string[]) => parseBytes(Buffer.from(text), keys);
const dropFlatArrays = (text: string, keys: string[]) => prunedText(Buffer.from(text), keys);

const KEYS = ['transactions', 'withdrawals'];
const block = (txs: string[], extra = '') =>
  `[{"jsonrpc":"2.0","id":5,"result":{"number":"0x10","timestamp":"0x6650","transactions":[${txs.map((t) => `"${t}"`).join(',')}],"withdrawals":[{"index":"0x1","amount":"0x2"},{"index":"0x2","amount":"0x3"}]${extra}}},{"jsonrpc":"2.0","id":6,"result":"0x19"}]`;

describe('prunedText / parsePruned', () => {
  it('empties the named flat arrays and keeps every other value', () => {
    const text = block(['0xaa', '0xbb', '0xcc']);
    const pruned = parsePruned(text, KEYS) as Array<{ result: Record<string, unknown> | string }>;
    const full = JSON.parse(text) as typeof pruned;
    assert.deepEqual(pruned[0]!.result, { ...(full[0]!.result as object), transactions: [], withdrawals: [] });
    assert.equal(pruned[1]!.result, '0x19');
  });

  it('whitespace as a proxy may pretty-print it, and empty arrays as they are', () => {
    assert.equal(dropFlatArrays('{"transactions" :[1]}', KEYS), '{"transactions" :[]}');
    assert.equal(dropFlatArrays('{"mytransactions":[1],"x":["transactions",[2]]}', KEYS), '{"mytransactions":[1],"x":["transactions",[2]]}', 'other keys and array values are left alone');
    assert.equal(dropFlatArrays('{"transactions":\n  [ "0x1",\n "0x2" ]}', KEYS), '{"transactions":\n  []}');
    assert.equal(dropFlatArrays('{"transactions":[],"withdrawals":[]}', KEYS), '{"transactions":[],"withdrawals":[]}');
  });

  it('arrays with arrays inside (full transactions with access lists) are left whole', () => {
    const text = '{"transactions":[{"hash":"0x1","accessList":[{"address":"0x2"}]}],"n":1}';
    assert.equal(dropFlatArrays(text, KEYS), text);
  });

  it('a key that only appears inside a string value is not touched', () => {
    const text = JSON.stringify({ clientVersion: 'evil"transactions":[1,2]', transactions: ['0x1'] });
    assert.deepEqual(parsePruned(text, KEYS), { clientVersion: 'evil"transactions":[1,2]', transactions: [] });
  });

  it('a "]" inside a string of such an array: the original text is parsed instead, nothing lost', () => {
    const text = '{"transactions":["a]b","c"],"n":2}';
    assert.deepEqual(parsePruned(text, KEYS), { transactions: ['a]b', 'c'], n: 2 });
  });

  it('text around the cuts keeps its multi-byte characters', () => {
    const text = '{"v":"géth/ü","transactions":["0x1","0x2"],"w":"日本"}';
    assert.deepEqual(parsePruned(text, KEYS), { v: 'géth/ü', transactions: [], w: '日本' });
  });

  it('no keys: plain JSON.parse, and its errors', () => {
    assert.deepEqual(parsePruned('{"a":[1]}', undefined), { a: [1] });
    assert.throws(() => parsePruned('<html>', KEYS), SyntaxError);
  });
});
