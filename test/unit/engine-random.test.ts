import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../server/src/engine/random';

test('streams are pinned bit for bit (golden values guard cross-platform determinism)', () => {
  const rng = createRng(42);
  assert.equal(rng.nextUint32(), 1713981193);
  assert.equal(rng.uniform01(), 0.46532122007658827);
  assert.equal(rng.normal(), 0.09356040144539142);
  assert.equal(rng.normal(), 0.8426758554492993);
  assert.equal(createRng(42).fork('A').normal(), 0.40767323547766243);
  assert.equal(createRng(2 ** 40 + 3).uniform01(), 0.0817988771690803);
  assert.equal(createRng(0).normal(), 1.1911972669151547);
});

test('same seed gives the same stream, different seeds differ', () => {
  const a = createRng(7).fillNormal(new Float64Array(1000));
  const b = createRng(7).fillNormal(new Float64Array(1000));
  const c = createRng(8).fillNormal(new Float64Array(1000));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('fork depends on the label and seed only, not on draws made before', () => {
  const parent = createRng(5);
  const early = parent.fork('B').normal();
  for (let i = 0; i < 100; i++) parent.normal();
  assert.equal(parent.fork('B').normal(), early);
  assert.notEqual(parent.fork('C').normal(), early);
  assert.notEqual(parent.fork('B').fork('x').normal(), parent.fork('B').normal());
});

test('normal and uniform have the right moments', () => {
  const rng = createRng(123);
  const n = 200000;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const z = rng.normal(2, 3);
    sum += z;
    sumSq += z * z;
  }
  const mean = sum / n;
  const variance = sumSq / n - mean * mean;
  assert.ok(Math.abs(mean - 2) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(variance - 9) < 0.1, `variance ${variance}`);
  const u = createRng(9).fillUniform(new Float64Array(n), -1, 3);
  let uSum = 0;
  for (const x of u) {
    assert.ok(x >= -1 && x < 3);
    uSum += x;
  }
  assert.ok(Math.abs(uSum / n - 1) < 0.01);
});
