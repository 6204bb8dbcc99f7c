import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  datasetSpec, datasetTable, formatSignature, interpolationSpec, interpolationTable, planeSpec, planeTable, pointCaption,
  spectrumSpec, spectrumTable, themeConfig, type PointLabel,
} from '../../server/src/io/plots';
import { renderSvg } from '../../server/src/io/render';

const alpha = Array.from({ length: 21 }, (_, i) => -0.5 + i / 10);
const curve = { from: 'A', to: 'B', alpha, loss: alpha.map((a) => 1e-3 + a * a * (1 - a) ** 2 * 1e3), gradientNorm: alpha.map((a) => Math.abs(a * (1 - a))) };
const points: PointLabel[] = [
  { name: 'A', signature: { positive: 30, negative: 2, zero: 0 }, target: { kind: 'saddle', index: 2 }, achieved: true },
  { name: 'B', signature: { positive: 31, negative: 1, zero: 0 }, target: { kind: 'minimum' }, achieved: false },
];
const u = [-1, -0.5, 0, 0.5, 1];
const v = [-1, 0, 1];
const grid = { title: 'plane A B C', u, v, loss: u.map((a) => v.map((b) => 1 + a * a + b * b)), points: [{ name: 'A', u: 0, v: 0 }] };
const spectrum = { point: 'A', eigenvalues: [-3, -0.5, 1e-12, 2, 40], zeroTolerance: 4e-8, method: 'dense' as const };
const X = Array.from({ length: 30 }, (_, i) => i / 10 - 1.5);

test('captions say signature, target and whether it was reached', () => {
  assert.equal(formatSignature(points[0].signature), '(30+, 2−, 0 zero)');
  assert.equal(pointCaption(points[0]), 'A (30+, 2−, 0 zero) saddle(2) ✓');
  assert.equal(pointCaption(points[1]), 'B (31+, 1−, 0 zero) minimum ✗');
});

test('every plot renders to SVG in Node, in both themes, with its marks and labels', async () => {
  const specs = [
    interpolationSpec(curve, points),
    planeSpec(grid, { logScale: true }),
    planeSpec({ ...grid, v: [0], loss: u.map((a) => [1 + a * a]) }),
    spectrumSpec([spectrum], points),
    datasetSpec({ m: 30, dx: 1, dy: 1, inputs: X, baseLabels: X.map(Math.sin), labels: X.map(Math.cos), predictions: [{ name: 'A', values: X.map(Math.tanh) }] }),
    datasetSpec({ m: 15, dx: 2, dy: 1, inputs: X, baseLabels: X.slice(0, 15), labels: null }),
    datasetSpec({ m: 10, dx: 3, dy: 1, inputs: X, baseLabels: X.slice(0, 10), labels: X.slice(10, 20) }),
  ];
  for (const theme of ['light', 'dark'] as const) {
    for (const spec of specs) {
      const svg = await renderSvg({ ...spec, config: themeConfig(theme) });
      assert.ok(svg.startsWith('<svg'), 'an SVG document');
      assert.ok(svg.includes(theme === 'dark' ? 'fill="#1e1e1e"' : 'fill="#ffffff"'), `${theme} background`);
    }
  }
  const interpolation = await renderSvg(specs[0]);
  assert.ok(interpolation.includes('A (30+, 2−, 0 zero) saddle(2) ✓'), 'planted points marked with their certificate');
  assert.ok(interpolation.includes('log scale'), 'the loss spans decades: log axis');
  const slice = await renderSvg(specs[2]);
  assert.ok(slice.includes('mark-line'), 'one direction: a line, not a heatmap');
  const spectrumSvg = await renderSvg(specs[3]);
  assert.ok(spectrumSvg.includes('zero band ±4.0e-8'));
  const histogram = await renderSvg(specs[6]);
  assert.ok(histogram.includes('Label change'));
});

test('the two end captions of an interpolation sit on separate lines, so a narrow panel cannot overprint them', async () => {
  const svg = await renderSvg(interpolationSpec(curve, points, { width: 160 }));
  const lineOf = (caption: string) => {
    const text = [...svg.matchAll(/<text[^>]*translate\(([-\d.]+),([-\d.]+)\)[^>]*>([^<]*)<\/text>/g)].find((m) => m[3] === caption);
    assert.ok(text, `caption ${caption} drawn`);
    return Number(text[2]);
  };
  assert.notEqual(lineOf(pointCaption(points[0])), lineOf(pointCaption(points[1])));
});

test('tables hold the numbers behind each plot', () => {
  const t = interpolationTable(curve);
  assert.deepEqual(t.header, ['alpha', 'loss', 'gradient_norm']);
  assert.deepEqual(t.matrix.shape, [21, 3]);
  assert.equal(t.matrix.data[3 * 5 + 1], curve.loss[5]);
  const p = planeTable(grid);
  assert.deepEqual(p.matrix.shape, [15, 3]);
  assert.deepEqual(Array.from(p.matrix.data.slice(3 * 4, 3 * 5)), [-0.5, 0, 1.25]);
  const s = spectrumTable([spectrum, { ...spectrum, point: 'B' }]);
  assert.deepEqual(s.matrix.shape, [10, 4]);
  assert.deepEqual(Array.from(s.matrix.data.slice(4 * 5, 4 * 6)), [1, 0, -3, 4e-8]);
  const d = datasetTable({ m: 2, dx: 2, dy: 1, inputs: [1, 2, 3, 4], baseLabels: [5, 6], labels: null, predictions: [{ name: 'A', values: [7, 8] }] });
  assert.deepEqual(d.header, ['x1', 'x2', 'y_base1', 'y1', 'yhat_A1']);
  assert.deepEqual(Array.from(d.matrix.data), [1, 2, 5, NaN, 7, 3, 4, 6, NaN, 8]);
});
