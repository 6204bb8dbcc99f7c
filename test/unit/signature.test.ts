import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  labelIndependentLayers,
  marginOf,
  signatureOf,
  structuralCheck,
  symmetryZeroCount,
  zeroToleranceOf,
} from '../../server/src/engine/signature';
import type { NetworkSpec } from '../../server/src/engine/types';

const tanh381: NetworkSpec = { sizes: [3, 8, 1], activations: ['tanh', 'linear'], bias: false };
const relu361: NetworkSpec = { sizes: [3, 6, 1], activations: ['relu', 'linear'], bias: false };

test('zero tolerance is max(absTol, relTol · max|λ|) and decides the signature', () => {
  const eigenvalues = [-2, -1e-10, 0, 3e-9, 1, 4];
  assert.equal(zeroToleranceOf(eigenvalues), 4e-9);
  assert.deepEqual(signatureOf(eigenvalues).signature, { positive: 2, negative: 1, zero: 3 });
  assert.deepEqual(signatureOf(eigenvalues, { absTol: 0, relTol: 1e-12 }).signature, { positive: 3, negative: 2, zero: 1 });
  assert.deepEqual(signatureOf(eigenvalues, { absTol: 1.5, relTol: 0 }).signature, { positive: 1, negative: 1, zero: 4 });
});

test('margin skips the symmetry zeros', () => {
  const eigenvalues = [-3, 1e-15, -2e-15, 0.5, 2];
  assert.equal(marginOf(eigenvalues, 0), 1e-15);
  assert.equal(marginOf(eigenvalues, 3), 2);
  assert.equal(marginOf(eigenvalues, 2), 0.5);
  assert.equal(marginOf(eigenvalues, 5), Infinity);
});

test('symmetry zeros: one per homogeneous hidden unit, GL orbit for linear hidden layers', () => {
  assert.equal(symmetryZeroCount(tanh381), 0);
  assert.equal(symmetryZeroCount(relu361), 6); // measured: relu 3-6-1 signature (+18, −0, 0:6)
  assert.equal(symmetryZeroCount({ sizes: [2, 4, 5, 1], activations: ['leaky_relu', 'relu', 'linear'], bias: true }), 9);
  // Linear hidden layer 3-2-2: d = 2 ≤ both ranks, so all of GL(2) acts: 4 zeros.
  assert.equal(symmetryZeroCount({ sizes: [3, 2, 2], activations: ['linear', 'linear'], bias: false }), 4);
  // 3-8-1 linear: 64 − (8 − 3)(8 − 1) = 29.
  assert.equal(symmetryZeroCount({ sizes: [3, 8, 1], activations: ['linear', 'linear'], bias: false }), 29);
});

test('label-independent layers: the linear output layer, and every layer of a relu net', () => {
  assert.deepEqual(labelIndependentLayers(tanh381), [1]);
  assert.deepEqual(labelIndependentLayers(relu361), [0, 1]);
  assert.deepEqual(labelIndependentLayers({ sizes: [3, 6, 1], activations: ['relu', 'tanh'], bias: false }), []);
});

test('structural check rejects impossible targets with the reason', () => {
  const maximum = structuralCheck(tanh381, { kind: 'maximum' });
  assert.equal(maximum.ok, false);
  assert.match(maximum.reason ?? '', /output layer is linear/);
  // 3-8-1 tanh: N = 32, the last layer has 8 weights: index ≤ 24.
  assert.equal(structuralCheck(tanh381, { kind: 'saddle', index: 24 }).ok, true);
  const tooDeep = structuralCheck(tanh381, { kind: 'saddle', index: 25 });
  assert.equal(tooDeep.ok, false);
  assert.equal(tooDeep.maxIndex, 24);
  assert.match(tooDeep.reason ?? '', /at most 24 of the 32/);
  // relu 3-6-1: N = 24, both layers fixed (18 and 6 parameters), 6 symmetry zeros: index ≤ 24 − 6 − 18 = 0.
  const relu = structuralCheck(relu361, { kind: 'saddle', index: 1 });
  assert.equal(relu.ok, false);
  assert.equal(relu.maxIndex, 0);
  assert.match(relu.reason ?? '', /piecewise linear/);
  assert.match(relu.reason ?? '', /rescaling symmetries/);
  const reluMinimum = structuralCheck(relu361, { kind: 'minimum', margin: 1e-3 });
  assert.equal(reluMinimum.ok, true);
  assert.match(reluMinimum.notes.join(' '), /apart from these directions/);
  // A tanh output makes a maximum structurally possible.
  assert.equal(structuralCheck({ sizes: [3, 8, 1], activations: ['tanh', 'tanh'], bias: false }, { kind: 'maximum' }).ok, true);
  assert.equal(structuralCheck(tanh381, { kind: 'saddle', index: -1 }).ok, false);
});
