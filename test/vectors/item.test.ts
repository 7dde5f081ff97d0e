import { createRequire } from 'node:module';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { decodeItem, encodeItem, formatF32, itemBytes, type Item } from '../../src/vectors/item.js';
import { LruCache } from '../../src/vectors/lru.js';
import { backoffDelay } from '../../src/vectors/retry.js';
import { vec } from './fixtures.js';

const require = createRequire(import.meta.url);
const dynaliteDb = require('dynalite/db/index.js') as { itemSize(item: unknown): number };

/** SDK item -> the wire JSON dynalite sizes (Binary as base64). */
function wire(v: AttributeValue): unknown {
  if (v.B !== undefined) return { B: Buffer.from(v.B).toString('base64') };
  if (v.L !== undefined) return { L: v.L.map(wire) };
  return v;
}
const wireItem = (item: Item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, wire(v)]));

describe('items', () => {
  it('formatF32 is the shortest string that reads back as the same float32', () => {
    for (const x of [0, 1, -1, 0.1, 1 / 3, 1e-7, 3.4e38, -2.5e-5, ...vec(3, 500)]) {
      const s = formatF32(x);
      expect(Math.fround(Number(s))).toBe(Math.fround(x));
      expect(s.replace(/^-|e.*$|\./g, '').replace(/^0+/, '').length).toBeLessThanOrEqual(9);
    }
    expect(formatF32(0.1)).toBe('0.1');
  });

  it('round trip in every layout', () => {
    const v = vec(1, 50);
    for (const [layout, dtype] of [
      ['list', undefined],
      ['compact', 'f32'],
      ['compact', 'f16'],
    ] as const) {
      const out = new Float32Array(60);
      decodeItem(encodeItem('w', v, layout, dtype), 50, out, 5, 'dynamodb:t');
      const got = out.subarray(5, 55);
      if (dtype === 'f16') got.forEach((x, j) => expect(Math.abs(x - v[j])).toBeLessThan(1e-3));
      else expect(got).toEqual(v);
    }
  });

  it('item sizes follow DynamoDB rules (as dynalite computes them)', () => {
    for (const dim of [50, 300]) {
      for (let i = 0; i < 20; i++) {
        const v = vec(i + dim, dim).map((x, j) => (j % 5 === 0 ? x * 1e-3 : j % 7 === 0 ? x * 100 : x));
        for (const item of [encodeItem(`word${i}`, v, 'list'), encodeItem(`word${i}`, v, 'compact', 'f16'), encodeItem(`w${i}`, v, 'compact', 'f32')]) {
          expect(itemBytes(item)).toBe(dynaliteDb.itemSize(wireItem(item)));
        }
      }
    }
  });

  it('compact f16 items are <= 0.4x the bytes of List items at 50-d and 300-d', () => {
    for (const dim of [50, 300]) {
      let list = 0;
      let f16 = 0;
      let f32 = 0;
      for (let i = 0; i < 100; i++) {
        const v = vec(i, dim).map((x) => x * 0.25);
        list += itemBytes(encodeItem(`word${i}`, v, 'list'));
        f16 += itemBytes(encodeItem(`word${i}`, v, 'compact', 'f16'));
        f32 += itemBytes(encodeItem(`word${i}`, v, 'compact', 'f32'));
      }
      expect(f16 / list).toBeLessThanOrEqual(0.4);
      expect(f32 / list).toBeLessThan(0.75);
    }
  });
});

describe('LRU and backoff', () => {
  it('evicts the least recently used entry', () => {
    const c = new LruCache<number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now most recent
    c.set('c', 3);
    expect(c.has('b')).toBe(false);
    expect(c.get('a')).toBe(1);
    expect(c.get('zz')).toBeUndefined();
    expect(c.stats()).toEqual({ hits: 2, misses: 1, evictions: 1, size: 2, capacity: 2 });
    const off = new LruCache<number>(0);
    off.set('a', 1);
    expect(off.get('a')).toBeUndefined();
  });

  it('full jitter under a capped exponential ceiling', () => {
    const p = { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 100 };
    expect([1, 2, 3, 4, 5, 9].map((a) => backoffDelay(a, p, () => 0.999999))).toEqual([9, 19, 39, 79, 99, 99]);
    expect(backoffDelay(3, p, () => 0)).toBe(0);
  });
});
