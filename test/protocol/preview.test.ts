import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  DEFAULT_PREVIEW_LIMITS,
  buildPreview,
  isDataPreview,
  isHostToWebview,
  isRunnerToHost,
  type DataPreview,
  type PreviewLimits,
} from '../../src/protocol/index.js';
import { encodePng } from '../../src/protocol/preview/png.js';

const SMALL: PreviewLimits = { ...DEFAULT_PREVIEW_LIMITS, buckets: 4, bins: 2 };

/** The pixels of a PNG the builder wrote (8-bit, filter 0 on every row): width, height, bytes a pixel, and the bytes. */
function decodePng(dataUrl: string): { width: number; height: number; channels: number; pixels: number[] } {
  const bytes = Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  let at = 8;
  let header: Buffer | undefined;
  const idat: Buffer[] = [];
  while (at < bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') header = data;
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const width = header!.readUInt32BE(0);
  const height = header!.readUInt32BE(4);
  const channels = { 0: 1, 4: 2, 2: 3, 6: 4 }[header![9]!]!;
  const raw = inflateSync(Buffer.concat(idat));
  const pixels: number[] = [];
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (width * channels + 1)], 0, 'filter byte');
    pixels.push(...raw.subarray(y * (width * channels + 1) + 1, (y + 1) * (width * channels + 1)));
  }
  return { width, height, channels, pixels };
}

function jsonSize(p: DataPreview): number {
  return JSON.stringify(p).length;
}

describe('data previews', () => {
  it('numbers: statistics, a min/max line of buckets and a histogram, NaN and ±Infinity counted apart', () => {
    assert.deepEqual(
      buildPreview(
        Float64Array.from({ length: 10 }, (_, i) => i),
        SMALL,
      ),
      {
        kind: 'numeric',
        type: 'Float64Array(10)',
        count: 10,
        nan: 0,
        infinite: 0,
        line: { step: 3, min: [0, 3, 6, 9], max: [2, 5, 8, 9] },
        min: 0,
        max: 9,
        mean: 4.5,
        histogram: { min: 0, max: 9, counts: [5, 5] },
      },
    );
    assert.deepEqual(buildPreview([3, Number.NaN, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 7], SMALL), {
      kind: 'numeric',
      type: 'Array(6)',
      count: 6,
      nan: 1,
      infinite: 2,
      line: { step: 2, min: [3, -1, 7], max: [3, -1, 7] },
      min: -1,
      max: 7,
      mean: 3,
      histogram: { min: -1, max: 7, counts: [1, 2] },
    });
  });

  it('numbers: bigints are read as numbers; all-NaN has no statistics; equal values make one bin; line points keep 7 digits', () => {
    assert.deepEqual(buildPreview(new BigInt64Array([1n, 5n, -3n]), SMALL), {
      kind: 'numeric',
      type: 'BigInt64Array(3)',
      count: 3,
      nan: 0,
      infinite: 0,
      line: { step: 1, min: [1, 5, -3], max: [1, 5, -3] },
      min: -3,
      max: 5,
      mean: 1,
      histogram: { min: -3, max: 5, counts: [1, 2] },
    });
    assert.deepEqual(buildPreview([Number.NaN, Number.NaN], SMALL), {
      kind: 'numeric',
      type: 'Array(2)',
      count: 2,
      nan: 2,
      infinite: 0,
      line: { step: 1, min: [null, null], max: [null, null] },
    });
    assert.deepEqual(buildPreview([5, 5, 5], SMALL), {
      kind: 'numeric',
      type: 'Array(3)',
      count: 3,
      nan: 0,
      infinite: 0,
      line: { step: 1, min: [5, 5, 5], max: [5, 5, 5] },
      min: 5,
      max: 5,
      mean: 5,
      histogram: { min: 5, max: 5, counts: [3] },
    });
    assert.deepEqual(buildPreview([2 / 3], SMALL), {
      kind: 'numeric',
      type: 'Array(1)',
      count: 1,
      nan: 0,
      infinite: 0,
      line: { step: 1, min: [0.6666667], max: [0.6666667] },
      min: 2 / 3,
      max: 2 / 3,
      mean: 2 / 3,
      histogram: { min: 2 / 3, max: 2 / 3, counts: [1] },
    });
  });

  it('an array that is not all numbers is a JSON tree; an empty one too', () => {
    assert.deepEqual(buildPreview([1, 'a']), {
      kind: 'json',
      type: 'Array(2)',
      root: {
        kind: 'array',
        length: 2,
        items: [
          { kind: 'value', value: 1 },
          { kind: 'value', value: 'a' },
        ],
      },
    });
    assert.deepEqual(buildPreview([]), { kind: 'json', type: 'Array(0)', root: { kind: 'array', length: 0, items: [] } });
  });

  it('records: a table of their keys in order of appearance, other values as text cells, missing keys empty', () => {
    const rows = [
      { id: 1, name: 'a', when: new Date(0) },
      { id: 2, score: Number.NaN, tags: ['x', 'y'], big: 10n, none: undefined, empty: null, ok: true },
    ];
    assert.deepEqual(buildPreview(rows), {
      kind: 'table',
      type: 'Array(2)',
      columns: ['id', 'name', 'when', 'score', 'tags', 'big', 'none', 'empty', 'ok'],
      rows: [
        [1, 'a', { text: '1970-01-01T00:00:00.000Z' }, { text: '' }, { text: '' }, { text: '' }, { text: '' }, { text: '' }, { text: '' }],
        [2, { text: '' }, { text: '' }, { text: 'NaN' }, { text: 'Array(2)' }, { text: '10n' }, { text: 'undefined' }, null, true],
      ],
      totalRows: 2,
      totalColumns: 9,
    });
  });

  it('2-D arrays: a table with index columns, ragged rows padded', () => {
    assert.deepEqual(
      buildPreview([
        [1, 2],
        [3, 4, 5],
      ]),
      {
        kind: 'table',
        type: 'Array(2)',
        columns: ['0', '1', '2'],
        rows: [
          [1, 2, { text: '' }],
          [3, 4, 5],
        ],
        totalRows: 2,
        totalColumns: 3,
      },
    );
  });

  it('tables keep the first rows and columns within the limits, and say how many there are', () => {
    const wide = Array.from({ length: 5 }, (_, r) => Object.fromEntries(Array.from({ length: 4 }, (_, c) => [`c${c}`, r * 10 + c])));
    assert.deepEqual(buildPreview(wide, { ...DEFAULT_PREVIEW_LIMITS, maxRows: 2, maxColumns: 3 }), {
      kind: 'table',
      type: 'Array(5)',
      columns: ['c0', 'c1', 'c2'],
      rows: [
        [0, 1, 2],
        [10, 11, 12],
      ],
      totalRows: 5,
      totalColumns: 4,
    });
    const matrix = [Array.from({ length: 80 }, (_, i) => i)];
    const cut = buildPreview(matrix);
    assert.ok(cut.kind === 'table');
    assert.deepEqual([cut.columns.length, cut.rows[0]!.length, cut.totalColumns], [50, 50, 80]);
    const long = buildPreview([{ text: 'x'.repeat(500) }]);
    assert.deepEqual(long.kind === 'table' && long.rows, [[`${'x'.repeat(199)}…`]]);
  });

  it('the byte budget cuts rows (the first always stays)', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ i, label: `row ${i}`.padEnd(40, '.') }));
    const p = buildPreview(rows, { ...DEFAULT_PREVIEW_LIMITS, maxBytes: 1024 });
    assert.ok(p.kind === 'table');
    assert.equal(p.totalRows, 100);
    assert.ok(p.rows.length >= 1 && p.rows.length < 30, `${p.rows.length} rows`);
    assert.ok(jsonSize(p) <= 1024 + 100, `${jsonSize(p)} bytes`);
    assert.deepEqual(
      p.rows,
      rows.slice(0, p.rows.length).map((r) => [r.i, r.label]),
    );
  });

  it('objects: a JSON tree with Maps, Sets, typed arrays, dates, functions, bigints, symbols and circular references', () => {
    const value: Record<string, unknown> = {
      n: 1,
      s: 'two',
      list: [true, null],
      map: new Map<unknown, unknown>([
        ['k', 1],
        [2, 'v'],
      ]),
      set: new Set([3]),
      bytes: new Uint8Array([7, 8]),
      when: new Date(0),
      fn: function helper() {},
      big: 12n,
      sym: Symbol('s'),
      nothing: undefined,
      inf: Number.POSITIVE_INFINITY,
      error: new RangeError('bad'),
    };
    value.self = value;
    assert.deepEqual(buildPreview(value), {
      kind: 'json',
      type: 'Object',
      root: {
        kind: 'object',
        size: 14,
        entries: [
          ['n', { kind: 'value', value: 1 }],
          ['s', { kind: 'value', value: 'two' }],
          [
            'list',
            {
              kind: 'array',
              length: 2,
              items: [
                { kind: 'value', value: true },
                { kind: 'value', value: null },
              ],
            },
          ],
          [
            'map',
            {
              kind: 'object',
              type: 'Map',
              size: 2,
              entries: [
                ['k', { kind: 'value', value: 1 }],
                ['2', { kind: 'value', value: 'v' }],
              ],
            },
          ],
          ['set', { kind: 'array', type: 'Set', length: 1, items: [{ kind: 'value', value: 3 }] }],
          [
            'bytes',
            {
              kind: 'array',
              type: 'Uint8Array',
              length: 2,
              items: [
                { kind: 'value', value: 7 },
                { kind: 'value', value: 8 },
              ],
            },
          ],
          ['when', { kind: 'text', text: '1970-01-01T00:00:00.000Z' }],
          ['fn', { kind: 'text', text: '[function helper]' }],
          ['big', { kind: 'text', text: '12n' }],
          ['sym', { kind: 'text', text: 'Symbol(s)' }],
          ['nothing', { kind: 'text', text: 'undefined' }],
          ['inf', { kind: 'text', text: 'Infinity' }],
          ['error', { kind: 'text', text: 'RangeError: bad' }],
          ['self', { kind: 'text', text: '[circular]' }],
        ],
      },
    });
  });

  it('JSON trees stop at the depth and item limits, keeping each container’s size; class instances keep their name', () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
    }
    const deep = { a: { b: { c: [1, 2, 3] } }, p: new Point(1, 2) };
    assert.deepEqual(buildPreview(deep, { ...DEFAULT_PREVIEW_LIMITS, maxDepth: 2, maxItems: 1 }), {
      kind: 'json',
      type: 'Object',
      root: {
        kind: 'object',
        size: 2,
        entries: [['a', { kind: 'object', size: 1, entries: [['b', { kind: 'object', size: 1, entries: [] }]] }]],
      },
    });
    assert.deepEqual(buildPreview(new Point(1, 2)), {
      kind: 'json',
      type: 'Point',
      root: {
        kind: 'object',
        type: 'Point',
        size: 2,
        entries: [
          ['x', { kind: 'value', value: 1 }],
          ['y', { kind: 'value', value: 2 }],
        ],
      },
    });
    assert.deepEqual(buildPreview(42), { kind: 'json', type: 'number', root: { kind: 'value', value: 42 } });
    assert.deepEqual(buildPreview(undefined), { kind: 'json', type: 'undefined', root: { kind: 'text', text: 'undefined' } });
  });

  it('strings: the beginning of the text and its length', () => {
    assert.deepEqual(buildPreview('hello'), { kind: 'text', type: 'string(5)', text: 'hello', length: 5 });
    assert.deepEqual(buildPreview('abcdefghij', { ...DEFAULT_PREVIEW_LIMITS, maxBytes: 8 }), { kind: 'text', type: 'string(10)', text: 'abcd', length: 10 });
  });

  it('images: a PNG of { width, height, data } (RGBA, opaque sent as RGB; gray), scaled down to the budget', () => {
    const rgba = { width: 2, height: 1, data: new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 255, 128]) };
    const p = buildPreview(rgba);
    assert.ok(p.kind === 'image');
    assert.deepEqual(
      { ...p, png: decodePng(p.png) },
      {
        kind: 'image',
        type: 'Object',
        width: 2,
        height: 1,
        previewWidth: 2,
        previewHeight: 1,
        png: { width: 2, height: 1, channels: 4, pixels: [255, 0, 0, 255, 0, 0, 255, 128] },
      },
    );
    const opaque = buildPreview({ width: 1, height: 2, data: new Uint8Array([1, 2, 3, 255, 4, 5, 6, 255]) });
    assert.deepEqual(opaque.kind === 'image' && decodePng(opaque.png), { width: 1, height: 2, channels: 3, pixels: [1, 2, 3, 4, 5, 6] });
    // A 1000 × 500 image in two halves (black, white) scales to fit 64 KB and keeps its halves and aspect ratio.
    const data = new Uint8ClampedArray(1000 * 500 * 4);
    for (let y = 0; y < 500; y++)
      for (let x = 0; x < 1000; x++)
        data.fill(x < 500 ? 0 : 255, (y * 1000 + x) * 4, (y * 1000 + x) * 4 + 3).fill(255, (y * 1000 + x) * 4 + 3, (y * 1000 + x) * 4 + 4);
    const big = buildPreview({ width: 1000, height: 500, data });
    assert.ok(big.kind === 'image');
    assert.ok(jsonSize(big) <= DEFAULT_PREVIEW_LIMITS.maxBytes, `${jsonSize(big)} bytes`);
    const png = decodePng(big.png);
    assert.deepEqual(
      [png.width, png.height, png.channels, big.previewWidth, big.previewHeight],
      [big.previewWidth, big.previewHeight, 3, 2 * big.previewHeight, big.previewHeight],
    );
    assert.deepEqual(
      [png.pixels.slice(0, 3), png.pixels.slice(-3)],
      [
        [0, 0, 0],
        [255, 255, 255],
      ],
    );
    const gray = buildPreview({ width: 2, height: 2, data: new Uint8Array([0, 85, 170, 255]) });
    assert.deepEqual(gray.kind === 'image' && decodePng(gray.png), { width: 2, height: 2, channels: 1, pixels: [0, 85, 170, 255] });
  });

  it('the PNG encoder writes stored blocks that zlib reads, across the 64 KB block size', () => {
    const pixels = Uint8Array.from({ length: 300 * 80 * 3 }, (_, i) => (i * 7) % 256);
    const png = Buffer.from(encodePng(300, 80, 3, pixels)).toString('base64');
    assert.deepEqual(decodePng(`data:image/png;base64,${png}`), { width: 300, height: 80, channels: 3, pixels: [...pixels] });
  });

  it('a value whose reading throws gets an omitted preview that says why', () => {
    const hostile = [
      {
        get boom(): number {
          throw new Error('no access');
        },
      },
    ];
    assert.deepEqual(buildPreview(hostile), { kind: 'omitted', type: 'Array(1)', reason: 'reading the value threw: no access' });
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trapped');
        },
      },
    );
    assert.deepEqual(buildPreview(proxy), { kind: 'omitted', type: 'Object', reason: 'reading the value threw: trapped' });
  });

  it('large values stay within the budget, are plain JSON, and pass the protocol guards', () => {
    const wave = Float64Array.from({ length: 1_000_000 }, (_, i) => Math.sin(i / 1000));
    const records = Array.from({ length: 100_000 }, (_, i) => ({ id: i, name: `item ${i}`, value: i / 3, ok: i % 2 === 0 }));
    const tree = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}`, { nested: Array.from({ length: 50 }, (_, j) => `${i}.${j}`) }]));
    const image = { width: 4000, height: 3000, data: new Uint8ClampedArray(4000 * 3000 * 4) };
    for (const value of [wave, Array.from(wave.subarray(0, 100_000)), records, tree, 'x'.repeat(1_000_000), image]) {
      const p = buildPreview(value);
      assert.ok(jsonSize(p) <= DEFAULT_PREVIEW_LIMITS.maxBytes, `${p.type}: ${jsonSize(p)} bytes`);
      assert.deepEqual(JSON.parse(JSON.stringify(p)), p, p.type);
      assert.ok(isDataPreview(JSON.parse(JSON.stringify(p))), p.type);
    }
    const line = buildPreview(wave);
    assert.ok(line.kind === 'numeric');
    assert.deepEqual(
      [line.line.step, line.line.min.length, line.count, line.min, line.max],
      [1000, 1000, 1_000_000, wave.reduce((a, b) => Math.min(a, b)), wave.reduce((a, b) => Math.max(a, b))],
    );
  });

  it('a preview keeps no reference to the value: the value is collected once dropped', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let value: Float64Array | undefined = new Float64Array(1_000_000);
    const ref = new WeakRef(value);
    const kept = [buildPreview(value), buildPreview({ wrapped: value, rows: [{ a: value }] }), buildPreview([{ a: value }])];
    value = undefined;
    for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
    assert.equal(ref.deref(), undefined);
    assert.equal(kept.length, 3);
  });

  it('guards: data/previews messages pass both ways; malformed previews are refused', () => {
    const previews = [
      { graph: 'g', uid: 'd_1', preview: buildPreview([1, 2, 3]) },
      { graph: 'g', uid: 'd_2', preview: buildPreview([{ a: 1 }]) },
      { graph: 'g', uid: 'd_3', preview: buildPreview({ a: [1] }) },
      { graph: 'g', uid: 'd_4', preview: buildPreview({ width: 1, height: 1, data: new Uint8Array([1]) }) },
      { graph: 'g', uid: 'd_5', preview: buildPreview('s') },
      { graph: 'g', uid: 'd_6', preview: { kind: 'omitted', type: 'Array(9)', reason: 'budget' } as DataPreview },
    ];
    const message = JSON.parse(JSON.stringify({ type: 'data/previews', previews }));
    assert.ok(isRunnerToHost(message));
    assert.ok(isHostToWebview(message));
    const bad: unknown[] = [
      { kind: 'table', type: 't', columns: ['a'], rows: [[1, 2]], totalRows: 1, totalColumns: 1 },
      { kind: 'table', type: 't', columns: ['a'], rows: [[{}]], totalRows: 1, totalColumns: 1 },
      { kind: 'numeric', type: 't', count: 1, nan: 0, infinite: 0, line: { step: 1, min: [1], max: [] } },
      { kind: 'numeric', type: 't', count: -1, nan: 0, infinite: 0, line: { step: 1, min: [], max: [] } },
      { kind: 'json', type: 't', root: { kind: 'array', length: 1, items: [{ kind: 'script' }] } },
      { kind: 'image', type: 't', width: 1, height: 1, previewWidth: 1, previewHeight: 1, png: 'javascript:alert(1)' },
      { kind: 'text', type: 't', text: 1, length: 1 },
      { kind: 'chart', type: 't' },
      { kind: 'text', text: 'no type', length: 7 },
    ];
    for (const preview of bad) {
      assert.equal(isDataPreview(preview), false, JSON.stringify(preview));
      assert.equal(isRunnerToHost({ type: 'data/previews', previews: [{ graph: 'g', uid: 'd', preview }] }), false);
    }
    assert.equal(isHostToWebview({ type: 'data/previews', previews: [{ graph: 'g', preview: buildPreview(1) }] }), false);
  });
});
