import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileLandscape, parseCrit, solvabilityDiagnostics, type CompiledLandscape, type FileReader } from '../../server/src/language';
import { analyzeProblem } from '../../server/src/engine';
import { forward, permuteHidden } from '../../server/src/engine/network';
import { writeCsv } from '../../server/src/io/csv';
import { thetaToArrays } from '../../server/src/io/export';
import { writeNpy } from '../../server/src/io/npy';
import { writeNpz } from '../../server/src/io/npz';
import { OUTPUT_BIAS_CONFLICT } from './specs';

const SPEC = `landscape two_points {
  seed 7
  network { input 3; layer 8 tanh; output 1 linear; bias off }
  data {
    points 600
    inputs normal(0, 2)
    labels teacher(A) + noise(0.1)
    fixed first 5
  }
  weights A = normal(0, 1)
  weights B = A + 0.1 * normal(0, 1)
  weights P = permute(A, layer 1, [7, 6, 5, 4, 3, 2, 1, 0])
  weights R = permute(A)
  critical A { hessian saddle(2) margin 0.01 }
  critical B
  plot interpolate A -> B from -0.5 to 1.5 steps 201
  plot directions A random 2
  plot spectrum A
  export "out/two_points" as npz, csv
}`;

function compile(text: string, reader?: FileReader, baseDir?: string): CompiledLandscape {
  const { file, errors } = parseCrit(text);
  assert.deepEqual(errors, []);
  const result = compileLandscape(file.landscapes[0], reader, baseDir ? { baseDir } : {});
  assert.deepEqual(result.diagnostics.filter((d) => d.severity === 'error'), []);
  return result.problem!;
}

function bytesOf(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

describe('compileLandscape', () => {
  it('builds the PlantProblem the spec describes', () => {
    const c = compile(SPEC);
    const p = c.problem;
    assert.equal(c.name, 'two_points');
    assert.equal(c.seed, 7);
    assert.deepEqual(p.network, { sizes: [3, 8, 1], activations: ['tanh', 'linear'], bias: false });
    assert.deepEqual([p.data.m, p.data.dx, p.data.dy, p.data.X.length, p.data.Y0.length], [600, 3, 1, 1800, 600]);
    assert.deepEqual([...p.data.fixed!.slice(0, 6)], [1, 1, 1, 1, 1, 0]);
    assert.deepEqual(p.planted.map((q) => [q.name, q.target]), [
      ['A', { kind: 'saddle', index: 2, margin: 0.01 }],
      ['B', { kind: 'any' }],
    ]);
    assert.deepEqual(p.objective, { kind: 'closest' });
    // inputs ~ normal(0, 2): sample std near 2.
    const mean = p.data.X.reduce((s, x) => s + x, 0) / p.data.X.length;
    const std = Math.sqrt(p.data.X.reduce((s, x) => s + (x - mean) ** 2, 0) / p.data.X.length);
    assert.ok(Math.abs(std - 2) < 0.15, `std ${std}`);
    // teacher(A) + noise(0.1): labels within a few noise std of A's predictions.
    const teacher = forward(p.network, c.weights.get('A')!, p.data.X, p.data.m);
    const residual = Math.sqrt(p.data.Y0.reduce((s, y, i) => s + (y - teacher[i]) ** 2, 0) / p.data.m);
    assert.ok(Math.abs(residual - 0.1) < 0.02, `noise std ${residual}`);
    // B = A + 0.1 ε.
    const a = c.weights.get('A')!;
    const b = c.weights.get('B')!;
    const gap = Math.sqrt(a.reduce((s, x, i) => s + (b[i] - x) ** 2, 0) / a.length);
    assert.ok(gap > 0.05 && gap < 0.15, `perturbation ${gap}`);
    // permute: same function, the engine's permutation.
    assert.deepEqual(bytesOf(c.weights.get('P')!), bytesOf(permuteHidden(p.network, a, 0, [7, 6, 5, 4, 3, 2, 1, 0])));
    const yP = forward(p.network, c.weights.get('R')!, p.data.X, p.data.m);
    for (let i = 0; i < p.data.m; i++) assert.ok(Math.abs(yP[i] - teacher[i]) < 1e-12);
    assert.notDeepEqual(bytesOf(c.weights.get('R')!), bytesOf(a));
    assert.deepEqual(c.plots.map((q) => q.kind), ['interpolate', 'directions', 'spectrum']);
    const directions = c.plots[1];
    assert.ok(directions.kind === 'directions' && directions.directions.length === 2 && directions.steps === 41);
    assert.deepEqual(c.exports.map((e) => [e.path, e.formats]), [['out/two_points', ['npz', 'csv']]]);
    assert.ok(c.sourceText.startsWith('landscape two_points'));
  });

  it('is deterministic: same spec and seed give bit-identical data and weights; other seeds differ', () => {
    const first = compile(SPEC);
    const second = compile(SPEC);
    assert.ok(bytesOf(first.problem.data.X).equals(bytesOf(second.problem.data.X)));
    assert.ok(bytesOf(first.problem.data.Y0).equals(bytesOf(second.problem.data.Y0)));
    for (const [name, theta] of first.weights) assert.ok(bytesOf(theta).equals(bytesOf(second.weights.get(name)!)), name);
    const other = compile(SPEC.replace('seed 7', 'seed 8'));
    assert.ok(!bytesOf(first.problem.data.X).equals(bytesOf(other.problem.data.X)));
  });

  it('keeps draws independent: adding a weight or plot does not change other draws', () => {
    const base = compile(SPEC);
    const more = compile(SPEC.replace('weights A = normal(0, 1)', 'weights Z = he\n  weights A = normal(0, 1)').replace('plot spectrum A', 'plot spectrum A\n  plot dataset'));
    assert.ok(bytesOf(base.problem.data.X).equals(bytesOf(more.problem.data.X)));
    assert.ok(bytesOf(base.problem.data.Y0).equals(bytesOf(more.problem.data.Y0)));
    assert.ok(bytesOf(base.weights.get('B')!).equals(bytesOf(more.weights.get('B')!)));
  });

  it('places explicit weights in θ order and builds grids', () => {
    const c = compile(`landscape e {
      network { input 2; layer 2 tanh; output 1; bias on }
      data { points 9; inputs grid(-1, 1) }
      weights A = { W0 = [[1, 2], [3, 4]]; b0 = [5, 6]; W1 = [[7, 8]]; b1 = [9] }
      weights B = 2 * A - { b1 = [1] }
      critical A
    }`);
    assert.deepEqual([...c.weights.get('A')!], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual([...c.weights.get('B')!], [2, 4, 6, 8, 10, 12, 14, 16, 17]);
    assert.deepEqual([...c.problem.data.X], [-1, -1, -1, 0, -1, 1, 0, -1, 0, 0, 0, 1, 1, -1, 1, 0, 1, 1]);
    assert.deepEqual([...c.problem.data.Y0], new Array(9).fill(0));
  });

  it('reads csv, npy and npz files through the reader, resolved against baseDir', () => {
    const net = { sizes: [2, 1], activations: ['linear' as const], bias: true };
    const theta = Float64Array.from([0.1, 0.2, 0.3]);
    const files = new Map<string, Uint8Array>([
      ['/specs/x.csv', new TextEncoder().encode(writeCsv(['x1', 'x2'], { shape: [3, 2], data: Float64Array.from([1, 2, 3, 4, 5, 6]) }))],
      ['/specs/y.npy', writeNpy({ shape: [3], data: Float64Array.from([7, 8, 9]) })],
      ['/specs/mask.csv', new TextEncoder().encode('1\n0\n1\n')],
      ['/specs/w.npz', writeNpz(thetaToArrays(net, theta))],
    ]);
    const read: string[] = [];
    const reader: FileReader = {
      readFile(path) {
        read.push(path);
        const bytes = files.get(path);
        if (!bytes) throw new Error('no such file');
        return bytes;
      },
    };
    const text = `landscape f {
      network { input 2; output 1; bias on }
      data { points 3; inputs file "x.csv"; labels file "y.npy"; fixed file "mask.csv" }
      weights A = file "w.npz"
      critical A
    }`;
    const { file } = parseCrit(text);
    const result = compileLandscape(file.landscapes[0], reader, { baseDir: '/specs' });
    assert.equal(result.diagnostics.filter((d) => d.severity === 'error').length, 0, JSON.stringify(result.diagnostics));
    const c = result.problem!;
    assert.deepEqual([...c.problem.data.X], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...c.problem.data.Y0], [7, 8, 9]);
    assert.deepEqual([...c.problem.data.fixed!], [1, 0, 1]);
    assert.deepEqual([...c.weights.get('A')!], [...theta]);
    assert.deepEqual(read.sort(), ['/specs/mask.csv', '/specs/w.npz', '/specs/x.csv', '/specs/y.npy']);

    const untrusted = compileLandscape(file.landscapes[0], undefined);
    assert.equal(untrusted.problem, undefined);
    assert.deepEqual(untrusted.diagnostics.map((d) => d.code), ['files/not-allowed']);
    const missing = compileLandscape(parseCrit(text.replace('x.csv', 'nope.csv')).file.landscapes[0], reader, { baseDir: '/specs' });
    assert.deepEqual(missing.diagnostics.map((d) => d.code), ['files/unreadable']);
    const wrongShape = compileLandscape(parseCrit(text.replace('points 3', 'points 4')).file.landscapes[0], reader, { baseDir: '/specs' });
    assert.deepEqual(wrongShape.diagnostics.map((d) => d.code), ['files/shape-mismatch']);
  });

  it('refuses to compile a landscape with validation errors, returning them', () => {
    const { file } = parseCrit(SPEC.replace('points 600', 'points 1e12'));
    const result = compileLandscape(file.landscapes[0], undefined);
    assert.equal(result.problem, undefined);
    assert.deepEqual(result.diagnostics.map((d) => d.code), ['values/too-many-points']);
  });
});

describe('solvabilityDiagnostics', () => {
  it('explains the output-bias conflict, and its fix makes the constraints consistent', () => {
    const text = OUTPUT_BIAS_CONFLICT;
    const { file } = parseCrit(text);
    const c = compileLandscape(file.landscapes[0], undefined).problem!;
    const report = analyzeProblem(c.problem);
    assert.equal(report.consistent, false);
    const ds = solvabilityDiagnostics(file.landscapes[0], c, report);
    const conflict = ds.find((d) => d.code === 'solvability/output-bias-conflict')!;
    assert.equal(conflict.severity, 'error');
    assert.equal(text.slice(conflict.range.start.offset, conflict.range.end.offset), 'B');
    const edit = conflict.fixes![0].edits[0];
    assert.match(edit.newText, /^ \+ \{ b1 = \[-?[\d.e-]+\] \}$/);
    const fixed = text.slice(0, edit.range.start.offset) + edit.newText + text.slice(edit.range.end.offset);
    const fixedFile = parseCrit(fixed).file;
    const recompiled = compileLandscape(fixedFile.landscapes[0], undefined).problem!;
    const after = analyzeProblem(recompiled.problem);
    assert.equal(after.consistent, true, `residual ${after.consistencyResidual}`);
    assert.equal(solvabilityDiagnostics(fixedFile.landscapes[0], recompiled, after).filter((d) => d.severity === 'error').length, 0);
  });

  it('maps conditioning, unreached signatures and non-critical points to their constructs', () => {
    const { file } = parseCrit(SPEC);
    const l = file.landscapes[0];
    const c = compileLandscape(l, undefined).problem!;
    const report = { labelCount: 595, equationCount: 64, parameterCount: 32, rank: 64, rankTolerance: 1e-12, consistencyResidual: 0, consistent: true, conditionNumber: 1e12, causes: [], warnings: [], relativeLabelChange: 50 };
    const signature = { positive: 31, negative: 1, zero: 0 };
    const cert = { name: 'A', target: { kind: 'saddle' as const, index: 2 }, gradientNorm: 1e-14, relativeGradientNorm: 1e-15, loss: 1, signature, zeroTolerance: 1e-9, symmetryZeros: 0, minEigenvalue: -1, maxEigenvalue: 1, margin: 0.1, spectrumMethod: 'dense' as const, critical: true, achieved: false, reason: '1 negative eigenvalues, 2 wanted' };
    const notCritical = { ...cert, name: 'B', target: { kind: 'any' as const }, critical: false, achieved: false, relativeGradientNorm: 1e-3 };
    const ds = solvabilityDiagnostics(l, c, report, [cert, notCritical]);
    const byCode = new Map(ds.map((d) => [d.code, d]));
    assert.deepEqual([...byCode.keys()].sort(), ['solvability/ill-conditioned', 'solvability/large-label-change', 'solvability/not-critical', 'solvability/signature-not-reached']);
    const slice = (code: string) => SPEC.slice(byCode.get(code)!.range.start.offset, byCode.get(code)!.range.end.offset);
    assert.equal(slice('solvability/ill-conditioned'), 'inputs normal(0, 2)');
    assert.equal(slice('solvability/signature-not-reached'), 'saddle(2)');
    assert.equal(slice('solvability/not-critical'), 'B');
    assert.match(byCode.get('solvability/signature-not-reached')!.message, /\(31\+, 1−, 0 zero\)/);
  });
});
