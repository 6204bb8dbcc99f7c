import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseCrit, validateFile, type CritDiagnostic } from '../../server/src/language';

function validate(text: string): CritDiagnostic[] {
  const { file, errors } = parseCrit(text);
  assert.deepEqual(errors.map((e) => e.message), [], 'the test input must parse');
  return validateFile(file);
}

function codesOf(text: string): string[] {
  return validate(text).map((d) => d.code);
}

/** A valid landscape whose parts the tests replace. */
function spec(parts: { network?: string; data?: string; rest?: string } = {}): string {
  return `landscape t {
  network { ${parts.network ?? 'input 3; layer 8 tanh; output 1 linear; bias off'} }
  data { ${parts.data ?? 'points 600; inputs normal(0, 2); labels teacher(A) + noise(0.1)'} }
  ${parts.rest ?? 'weights A = normal(0, 1)\n  weights B = normal(0, 1)\n  critical A { hessian saddle(2) }\n  critical B'}
}`;
}

function applyFix(text: string, d: CritDiagnostic): string {
  const edit = d.fixes![0].edits[0];
  return text.slice(0, edit.range.start.offset) + edit.newText + text.slice(edit.range.end.offset);
}

describe('validateFile', () => {
  it('accepts a valid spec without diagnostics', () => {
    assert.deepEqual(validate(spec()), []);
  });

  it('suggests the right activation and the fix replaces it', () => {
    const text = spec({ network: 'input 3; layer 8 tahn; output 1 linear; bias off' });
    const [d] = validate(text);
    assert.equal(d.code, 'names/unknown-activation');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /did you mean `tanh`/);
    assert.equal(text.slice(d.range.start.offset, d.range.end.offset), 'tahn');
    assert.deepEqual(validate(applyFix(text, d)), []);
  });

  it('reports undefined, duplicate and too-early weight names', () => {
    const text = spec({ rest: 'weights Alpha = normal(0, 1)\n weights C = D + Alpha\n weights D = he\n weights Alpha = glorot\n critical Alpah\n critical C' });
    const ds = validate(text);
    assert.deepEqual(ds.map((d) => d.code).sort(), ['names/duplicate-weights', 'names/undefined-weights', 'names/undefined-weights', 'names/used-before-declared'].sort());
    const typo = ds.find((d) => d.code === 'names/undefined-weights' && d.fixes)!;
    assert.equal(typo.fixes![0].edits[0].newText, 'Alpha');
    assert.match(ds.find((d) => d.message.includes('`A`'))!.message, /no weights named `A`/); // teacher(A)
  });

  it('reports unknown functions, functions in the wrong place and wrong arguments', () => {
    assert.deepEqual(codesOf(spec({ data: 'points 600; inputs normel(0, 1)' })), ['names/unknown-function']);
    assert.deepEqual(codesOf(spec({ data: 'points 600; inputs glorot' })), ['names/function-not-allowed-here']);
    assert.deepEqual(codesOf(spec({ data: 'points 600; inputs normal(0)' })), ['values/wrong-arguments']);
    assert.deepEqual(codesOf(spec({ data: 'points 600; inputs normal(0, -1)' })), ['values/out-of-range']);
    assert.deepEqual(codesOf(spec({ data: 'points 600; inputs uniform(1, 1)' })), ['values/empty-interval']);
  });

  it('caps points with a diagnostic instead of running out of memory', () => {
    const ds = validate(spec({ data: 'points 1e12' }));
    assert.deepEqual(ds.map((d) => d.code), ['values/too-many-points']);
    assert.deepEqual(codesOf(spec({ data: 'points 1e400' })), ['values/not-finite']);
    assert.deepEqual(codesOf(spec({ data: 'points 2.5' })), ['values/not-a-whole-number']);
    assert.deepEqual(codesOf(spec({ data: 'points 0' })), ['values/too-many-points']);
    assert.deepEqual(codesOf(spec({ network: `input 3; ${'layer 2 tanh; '.repeat(101)} output 1`, data: 'points 600', rest: '' })), ['values/out-of-range', 'structure/nothing-planted']);
    // Even without planted points, the network and the dataset must fit in memory.
    assert.deepEqual(codesOf(spec({ network: 'input 5000; layer 5000 tanh; output 1', data: 'points 600', rest: '' })), ['counts/too-large']);
    assert.deepEqual(codesOf(spec({ network: 'input 10000; output 1', data: 'points 1000000', rest: '' })), ['counts/too-large']);
  });

  it('needs M >= K·N and offers to raise points to the needed count', () => {
    const text = spec({ data: 'points 40; labels zeros' });
    const [d] = validate(text);
    assert.equal(d.code, 'counts/too-few-points');
    assert.match(d.message, /2 planted points × 32 parameters = 64/);
    assert.equal(d.fixes![0].edits[0].newText, '64');
    assert.deepEqual(validate(applyFix(text, d)), []);
    // Fixed labels do not count as free ones.
    const fixed = validate(spec({ data: 'points 64; labels zeros; fixed first 4' }));
    assert.equal(fixed[0].fixes![0].edits[0].newText, '68');
    // Several outputs: M = points · d_y.
    assert.deepEqual(codesOf(spec({ network: 'input 3; layer 8 tanh; output 2; bias off', data: 'points 40' })), []);
  });

  it('checks explicit weights against the topology', () => {
    const net = 'input 2; layer 3 tanh; output 1; bias on';
    const good = 'weights A = { W0 = [[1, 2], [3, 4], [5, 6]]; b0 = [0, 0, 0]; W1 = [[1, 2, 3]]; b1 = [0] }\n critical A';
    assert.deepEqual(codesOf(spec({ network: net, data: 'points 50', rest: good })), []);
    const wrong = validate(spec({ network: net, data: 'points 50', rest: 'weights A = { W0 = [[1, 2, 3], [3, 4, 5], [5, 6, 7]]; b0 = [0, 0, 0]; W1 = [[1, 2], [3]]; W7 = [1] }\n critical A' }));
    assert.deepEqual(wrong.map((d) => d.code).sort(), ['shapes/missing-layer', 'shapes/ragged', 'shapes/unknown-key', 'shapes/wrong-shape'].sort());
    assert.match(wrong.find((d) => d.code === 'shapes/wrong-shape')!.message, /must be 3 × 2 \(out × in/);
    // Inside a sum, an explicit block may give only some layers.
    assert.deepEqual(codesOf(spec({ network: net, data: 'points 50', rest: 'weights A = he + { b1 = [0.5] }\n critical A' })), []);
    assert.deepEqual(codesOf(spec({ network: 'input 2; layer 3 tanh; output 1; bias off', data: 'points 50', rest: 'weights A = { W0 = [[1, 2], [3, 4], [5, 6]]; b0 = [0, 0, 0]; W1 = [[1, 2, 3]] }\n critical A' })), ['shapes/unexpected-bias']);
    assert.deepEqual(codesOf(spec({ network: net, data: 'points 50', rest: 'weights A = [1, 2, 3]\n critical A' })), ['shapes/wrong-length']);
  });

  it('checks permutations', () => {
    const rest = (p: string) => `weights A = normal(0, 1)\n weights P = ${p}\n critical A`;
    assert.deepEqual(codesOf(spec({ rest: rest('permute(A, layer 1, [7, 6, 5, 4, 3, 2, 1, 0])') })), []);
    assert.deepEqual(codesOf(spec({ rest: rest('permute(A, [0, 0, 1, 2, 3, 4, 5, 6])') })), ['values/not-a-permutation']);
    assert.deepEqual(codesOf(spec({ rest: rest('permute(A, layer 2)') })), ['values/out-of-range']);
    assert.deepEqual(codesOf(spec({ rest: rest('permute(P)') })), ['names/used-before-declared']);
  });

  it('rejects structurally impossible Hessian targets with the engine reason', () => {
    const [d] = validate(spec({ rest: 'weights A = normal(0, 1)\n critical A { hessian maximum }' }));
    assert.equal(d.code, 'hessian/structurally-impossible');
    assert.match(d.message, /maximum is impossible/);
    const tooDeep = spec({ rest: 'weights A = normal(0, 1)\n critical A { hessian saddle(30) }' });
    const [saddle] = validate(tooDeep);
    assert.equal(saddle.code, 'hessian/structurally-impossible');
    assert.equal(saddle.fixes![0].edits[0].newText, '24');
    assert.deepEqual(validate(applyFix(tooDeep, saddle)), []);
    assert.deepEqual(codesOf(spec({ rest: 'weights A = normal(0, 1)\n critical A { hessian saddle(20) }' })), []);
    // With a nonlinear output layer a maximum is not ruled out structurally.
    assert.deepEqual(codesOf(spec({ network: 'input 3; layer 8 tanh; output 1 tanh; bias off', rest: 'weights A = normal(0, 1)\n critical A { hessian maximum }' })), []);
    assert.deepEqual(codesOf(spec({ network: 'input 3; layer 8 relu; output 1; bias off', rest: 'weights A = normal(0, 1)\n critical A { hessian minimum }' })), ['hessian/symmetry-zeros']);
  });

  it('reports structure: missing blocks, duplicates, layers after output, nothing planted', () => {
    assert.deepEqual(codesOf('landscape a { data { points 3 } }'), ['structure/missing-network']);
    assert.deepEqual(codesOf('landscape a { network { input 1; output 1 } }'), ['structure/missing-data']);
    assert.deepEqual(codesOf('landscape a { network { layer 3 tanh } data { } }').sort(), ['structure/missing-input', 'structure/missing-output', 'structure/missing-points', 'structure/nothing-planted'].sort());
    assert.deepEqual(codesOf('landscape a { seed 1 seed 2 network { input 1; output 1 } data { points 3 } weights A = he critical A }'), ['structure/duplicate-statement']);
    assert.deepEqual(codesOf('landscape a { network { input 1; output 1; layer 3 tanh } data { points 30 } weights A = he critical A }'), ['structure/layer-after-output']);
    assert.deepEqual(codesOf('landscape a { network { input 1; output 1 } data { points 3 } }'), ['structure/nothing-planted']);
    assert.deepEqual(codesOf('landscape a { network { input 1; output 1 } data { points 3 } weights A = he critical A }\nlandscape a { network { input 1; output 1 } data { points 3 } weights A = he critical A }'), ['names/duplicate-landscape']);
  });

  it('checks plots, objective, exports and grid sizes', () => {
    assert.deepEqual(codesOf(spec({ rest: 'weights A = he\n critical A\n plot interpolate A -> C steps 1' })).sort(), ['names/undefined-weights', 'values/out-of-range'].sort());
    assert.deepEqual(codesOf(spec({ rest: 'weights A = he\n weights B = he\n critical A\n objective min-loss at B' })), ['names/not-planted']);
    assert.deepEqual(codesOf(spec({ rest: 'weights A = he\n critical A\n plot directions A random 3 from 1 to -1' })).sort(), ['values/empty-interval', 'values/out-of-range'].sort());
    const exportDiag = validate(spec({ rest: 'weights A = he\n critical A\n export "out" as npy' }));
    assert.equal(exportDiag[0].code, 'names/unknown-format');
    assert.equal(exportDiag[0].fixes![0].edits[0].newText, 'npz');
    const grid = validate(spec({ network: 'input 2; layer 4 tanh; output 1; bias off', data: 'points 50; inputs grid(-1, 1)', rest: 'weights A = he\n critical A' }));
    assert.equal(grid[0].code, 'values/grid-points');
    assert.deepEqual(grid[0].fixes!.map((f) => f.edits[0].newText), ['49', '64']);
  });

  it('never throws on recovered, incomplete trees', () => {
    const text = spec({ rest: 'weights A = normal(0, 1)\n weights B = normal(0, 1)\n critical A { hessian saddle(2) margin 0.01 }\n critical B\n plot interpolate A -> B from -0.5 to 1.5 steps 201' });
    for (let cut = 0; cut <= text.length; cut += 2) {
      const { file } = parseCrit(text.slice(0, cut) + ' ) ] , = { [ ');
      for (const d of validateFile(file)) assert.ok(d.code.includes('/') && d.range.start.offset <= d.range.end.offset);
    }
  });
});

describe('documentation', () => {
  const root = join(__dirname, '..', '..');
  it('docs/diagnostics.md documents exactly the codes the language layer emits', () => {
    const sourceDir = join(root, 'server', 'src', 'language');
    const emitted = new Set<string>();
    for (const f of readdirSync(sourceDir).filter((n) => n.endsWith('.ts'))) {
      for (const m of readFileSync(join(sourceDir, f), 'utf8').matchAll(/'((?:syntax|names|structure|values|shapes|counts|hessian|files|compile|solvability|internal)\/[a-z-]+)'/g)) emitted.add(m[1]);
    }
    const documented = new Set([...readFileSync(join(root, 'docs', 'diagnostics.md'), 'utf8').matchAll(/^\| `([a-z]+\/[a-z-]+)` \|/gm)].map((m) => m[1]));
    assert.ok(emitted.size > 50);
    assert.deepEqual([...emitted].filter((c) => !documented.has(c)), [], 'emitted but not documented');
    assert.deepEqual([...documented].filter((c) => !emitted.has(c)), [], 'documented but never emitted');
  });

  it("docs/language.md's opening example parses and validates cleanly", () => {
    const md = readFileSync(join(root, 'docs', 'language.md'), 'utf8');
    const example = /```crit\n([\s\S]*?)```/.exec(md)![1];
    assert.deepEqual(validate(example), []);
  });
});
