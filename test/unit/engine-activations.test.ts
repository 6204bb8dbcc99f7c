import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { activationFunctions, erf, erfc, isPositivelyHomogeneous, normalCdf } from '../../server/src/engine/activations';
import { ACTIVATIONS } from '../../server/src/engine/types';

test('erf and erfc agree with Python math.erf / math.erfc to ~1e-15 relative', () => {
  const xs = Array.from({ length: 1401 }, (_, i) => -7 + i * 0.01).concat([1e-300, 1e-10, 0.5, 26.5]);
  const ref = JSON.parse(execFileSync('python3', ['-c', 'import json,sys,math; xs=json.load(sys.stdin); print(json.dumps([[math.erf(x), math.erfc(x)] for x in xs]))'], { input: JSON.stringify(xs) }).toString()) as number[][];
  xs.forEach((x, i) => {
    const [e, c] = ref[i];
    assert.ok(Math.abs(erf(x) - e) <= 2e-15 * Math.abs(e) + 1e-300, `erf(${x})`);
    assert.ok(Math.abs(erfc(x) - c) <= 5e-15 * c, `erfc(${x}) ${erfc(x)} vs ${c}`);
  });
  // Far tail: relative accuracy kept (1e-12 here is the rounding of the argument -30/√2, squared in exp).
  assert.ok(Math.abs(normalCdf(-30) / 4.906713927148764e-198 - 1) < 1e-12);
});

test("every activation's f' and f'' match central differences away from kinks", () => {
  const zs = [-3.1, -1.3, -0.4, 0.2, 0.9, 2.7];
  for (const act of ACTIVATIONS) {
    const { f, df, d2f } = activationFunctions(act);
    for (const z of zs) {
      const h = 1e-5;
      assert.ok(Math.abs((f(z + h) - f(z - h)) / (2 * h) - df(z)) < 1e-8, `${act}'(${z})`);
      assert.ok(Math.abs((df(z + h) - df(z - h)) / (2 * h) - d2f(z)) < 1e-8, `${act}''(${z})`);
    }
  }
});

test('kink conventions, stable extremes and homogeneity metadata', () => {
  assert.equal(activationFunctions('relu').df(0), 0);
  assert.equal(activationFunctions('relu').d2f(1), 0);
  assert.equal(activationFunctions('leaky_relu').f(-2), -0.02);
  assert.equal(activationFunctions('elu').f(-1), Math.expm1(-1));
  assert.equal(activationFunctions('softplus').f(1000), 1000);
  assert.ok(Math.abs(activationFunctions('softplus').f(-50) - Math.exp(-50)) < 1e-35);
  assert.equal(activationFunctions('sigmoid').f(-1000), 0);
  assert.ok(Math.abs(activationFunctions('gelu').f(1) - 0.8413447460685429) < 1e-15);
  assert.deepEqual(ACTIVATIONS.filter(isPositivelyHomogeneous), ['linear', 'relu', 'leaky_relu']);
});
