import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeAt, parseCrit, weightReferences, type CritDiagnostic, type FileNode, type SourceRange } from '../../server/src/language';

const SKETCH = `// Two planted critical points (Malago & Marinelli 2017, Fig. 2)
landscape two_points {
  seed 7
  network {
    input 3
    layer 8 tanh
    output 1 linear
    bias off
  }
  data {
    points 600
    inputs normal(0, 2)
    labels teacher(A) + noise(0.1)    // base labels y0
  }
  weights A = normal(0, 1)
  weights B = normal(0, 1)
  critical A { hessian saddle(2) margin 0.01 }
  critical B                          // critical, whatever its Hessian
  plot interpolate A -> B from -0.5 to 1.5 steps 201
  export "out/two_points" as npz, csv
}
`;

function slice(text: string, range: SourceRange): string {
  return text.slice(range.start.offset, range.end.offset);
}

function parseOk(text: string): FileNode {
  const { file, errors } = parseCrit(text);
  assert.deepEqual(errors, [], `unexpected syntax errors: ${errors.map((e) => e.message).join('; ')}`);
  return file;
}

function codes(errors: CritDiagnostic[]): string[] {
  return errors.map((e) => e.code);
}

describe('parseCrit: valid files', () => {
  it('parses the issue sketch as is, with ranges on every construct', () => {
    const file = parseOk(SKETCH);
    assert.equal(file.landscapes.length, 1);
    const l = file.landscapes[0];
    assert.equal(l.name, 'two_points');
    assert.equal(slice(SKETCH, l.nameRange!), 'two_points');
    assert.equal(l.seed?.value?.value, 7);
    const net = l.network!;
    assert.equal(net.input?.width?.value, 3);
    assert.deepEqual(net.layers.map((x) => [x.width?.value, x.activation]), [[8, 'tanh']]);
    assert.equal(slice(SKETCH, net.layers[0].activationRange!), 'tanh');
    assert.equal(net.output?.activation, 'linear');
    assert.equal(net.bias?.value, false);
    assert.equal(l.data?.points?.count?.value, 600);
    const inputs = l.data?.inputs?.source;
    assert.equal(inputs?.kind, 'Call');
    assert.deepEqual(inputs.kind === 'Call' && inputs.args.map((a) => (a.kind === 'Number' ? a.value : NaN)), [0, 2]);
    assert.equal(l.data?.labels?.base?.kind === 'Call' && l.data.labels.base.name, 'teacher');
    assert.equal(l.data?.labels?.noise?.name, 'noise');
    assert.deepEqual(l.weights.map((w) => w.name), ['A', 'B']);
    assert.deepEqual(l.criticals.map((c) => [c.name, c.hessian?.target, c.hessian?.index?.value, c.margin?.value]), [
      ['A', 'saddle', 2, 0.01],
      ['B', undefined, undefined, undefined],
    ]);
    const plot = l.plots[0];
    assert.deepEqual([plot.plot, plot.points.map((p) => p.name), plot.from?.value, plot.to?.value, plot.steps?.value], ['interpolate', ['A', 'B'], -0.5, 1.5, 201]);
    assert.deepEqual([l.exports[0].path, l.exports[0].formats.map((f) => f.name)], ['out/two_points', ['npz', 'csv']]);
    assert.equal(file.comments.length, 3);
    assert.equal(l.sourceText.startsWith('landscape two_points {'), true);
  });

  it('covers every construct, several landscapes, block comments, signs and exponents', () => {
    const text = `/* header
  comment */
landscape a {
  network { input 2; layer 4 relu; layer 3 leaky_relu; output 2; bias on }
  data {
    points 1e3
    inputs grid(-1, 1)
    labels zeros
    fixed first 10
  }
  weights W = glorot
  weights H = he
  weights U = uniform(-1e-3, 2.5E2)
  weights F = file "w.npz"
  weights E = { W0 = [[1, -2], [3, 4], [5, 6], [7, 8]]; b0 = [0, 0, 0, 0]
                W1 = [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]; b1 = [1, 2, 3]; W2 = [[1, 2, 3], [4, 5, 6]]; b2 = [0, 0] }
  weights P = permute(E, layer 2, [2, 0, 1])
  weights Q = permute(E)
  weights S = -0.5 * W + 2 * H - U + { b2 = [0.5, -0.5] }
  weights V = [1, 2, 3]
  critical W { hessian minimum sharpness 3 }
  critical H { hessian maximum; margin 1e-2 }
  critical U { hessian any }
  objective min-loss at W
  plot plane W H U from -1 to 2 steps 21
  plot directions W random 2 steps 11
  plot spectrum W
  plot dataset
  export "out/a"
}
landscape b {
  network { input 1; output 1 sigmoid }
  data { points 5; inputs file "x.csv"; labels file "y.npy" + noise(0.2); fixed file "mask.csv" }
  weights A = uniform(0, 1)
  critical A
  objective closest
}`;
    const file = parseOk(text);
    assert.deepEqual(file.landscapes.map((l) => l.name), ['a', 'b']);
    const [a, b] = file.landscapes;
    assert.deepEqual(a.network?.layers.map((x) => x.activation), ['relu', 'leaky_relu']);
    assert.equal(a.network?.output?.activation, undefined);
    assert.equal(a.data?.points?.count?.value, 1000);
    assert.equal(a.data?.fixed?.first?.value, 10);
    const byName = new Map(a.weights.map((w) => [w.name, w.init!]));
    const u = byName.get('U')!.terms[0].atom!;
    assert.deepEqual(u.kind === 'Call' && u.args.map((x) => (x.kind === 'Number' ? x.value : NaN)), [-1e-3, 250]);
    assert.equal(byName.get('F')!.terms[0].atom?.kind, 'FileRef');
    const e = byName.get('E')!.terms[0].atom!;
    assert.equal(e.kind, 'ExplicitWeights');
    assert.deepEqual(e.kind === 'ExplicitWeights' && e.entries.map((x) => x.key), ['W0', 'b0', 'W1', 'b1', 'W2', 'b2']);
    const p = byName.get('P')!.terms[0].atom!;
    assert.deepEqual(p.kind === 'Call' && p.args.map((x) => x.kind), ['NameRef', 'LayerArg', 'Array']);
    assert.deepEqual(byName.get('S')!.terms.map((t) => [t.coefficient, t.atom?.kind]), [
      [-0.5, 'NameRef'],
      [2, 'NameRef'],
      [-1, 'NameRef'],
      [1, 'ExplicitWeights'],
    ]);
    assert.equal(byName.get('V')!.terms[0].atom?.kind, 'Array');
    assert.deepEqual(a.criticals.map((c) => [c.hessian?.target, c.margin?.value, c.sharpness?.value]), [
      ['minimum', undefined, 3],
      ['maximum', 0.01, undefined],
      ['any', undefined, undefined],
    ]);
    assert.deepEqual([a.objective?.mode, a.objective?.point?.name], ['min-loss-at', 'W']);
    assert.deepEqual(a.plots.map((x) => [x.plot, x.points.length]), [
      ['plane', 3],
      ['directions', 1],
      ['spectrum', 1],
      ['dataset', 0],
    ]);
    assert.equal(a.plots[1].directionCount?.value, 2);
    assert.deepEqual(a.exports[0].formats, []);
    assert.equal(b.network?.layers.length, 0);
    assert.equal(b.data?.inputs?.source?.kind === 'FileRef' && b.data.inputs.source.path, 'x.csv');
    assert.equal(b.data?.labels?.base?.kind === 'FileRef' && b.data.labels.base.path, 'y.npy');
    assert.equal(b.data?.fixed?.file?.path, 'mask.csv');
    assert.equal(b.objective?.mode, 'closest');
  });

  it('reads keywords that prefix others (data/dataset, input/inputs, he/hessian) and names that start with keywords', () => {
    const file = parseOk('landscape x { network { input 1; output 1 } data { points 2; inputs normal(0,1) } weights hello = he weights dataset_1 = hello plot dataset critical hello { hessian any } }');
    const l = file.landscapes[0];
    assert.deepEqual(l.weights.map((w) => w.name), ['hello', 'dataset_1']);
    assert.equal(l.plots[0].plot, 'dataset');
  });
});

describe('parseCrit: broken input', () => {
  it('explains a missing activation at the layer width and keeps parsing', () => {
    const text = SKETCH.replace('layer 8 tanh', 'layer 8');
    const { file, errors } = parseCrit(text);
    assert.deepEqual(codes(errors), ['syntax/expected-activation']);
    assert.match(errors[0].message, /expected an activation \(linear, tanh, .*\) after the layer width/);
    assert.equal(slice(text, errors[0].range), '8');
    const l = file.landscapes[0];
    assert.equal(l.network?.output?.width?.value, 1, 'the output line after the error is still read');
    assert.equal(l.criticals.length, 2);
    assert.equal(l.exports.length, 1);
  });

  it('reports a misplaced token on the token itself, and recovers the statements after it', () => {
    const text = SKETCH.replace('seed 7', 'seed 7 )');
    const { file, errors } = parseCrit(text);
    assert.deepEqual(codes(errors), ['syntax/unexpected-token']);
    assert.equal(slice(text, errors[0].range), ')');
    assert.match(errors[0].message, /expected a statement .* found `\)`/);
    assert.equal(file.landscapes[0].weights.length, 2);
  });

  it('reads a misspelt statement keyword as one unknown statement with a suggestion, braces balanced', () => {
    const text = 'landscape a {\n  dat { points 3 { } }\n  network { input 3; layr 8 tanh; output 1 }\n  critical A { hesian minimum }\n  weights A = he\n}';
    const { file, errors } = parseCrit(text);
    assert.deepEqual(codes(errors), ['syntax/unknown-statement', 'syntax/unknown-statement', 'syntax/unknown-statement']);
    assert.deepEqual(errors.map((e) => [slice(text, e.range), e.fixes?.[0].edits[0].newText]), [
      ['dat', 'data'],
      ['layr', 'layer'],
      ['hesian', 'hessian'],
    ]);
    assert.deepEqual(file.landscapes[0].items.map((i) => i.kind), ['Network', 'Critical', 'Weights']);
    assert.equal(file.landscapes[0].network?.output?.width?.value, 1);
  });

  it('gives specific messages for common slips', () => {
    const cases: [string, string, RegExp][] = [
      ['landscape { }', 'syntax/expected-name', /landscape's name/],
      ['landscape a { network { input; output 1 } }', 'syntax/expected-number', /input dimension/],
      ['landscape a { weights A normal(0, 1) }', 'syntax/expected-token', /expected `=` after the weight name/],
      ['landscape a { weights A = }', 'syntax/expected-weights', /expected weights/],
      ['landscape a { critical A { hessian big } }', 'syntax/expected-hessian-target', /minimum, maximum, saddle\(k\) or any/],
      ['landscape a { plot A }', 'syntax/expected-plot-kind', /interpolate A -> B/],
      ['landscape a { seed }', 'syntax/expected-number', /after `seed`/],
      ['landscape a { network { bias yes } }', 'syntax/expected-token', /`on` or `off`/],
      ['landscape a { data { inputs 3 } }', 'syntax/expected-distribution', /normal\(mean, std\)/],
    ];
    for (const [text, code, message] of cases) {
      const { errors } = parseCrit(text);
      assert.ok(errors.length >= 1, text);
      assert.equal(errors[0].code, code, `${text}: ${errors[0].message}`);
      assert.match(errors[0].message, message, text);
    }
  });

  it('flags text outside a landscape and still parses the landscapes after it', () => {
    const text = 'seed 3\nnetwork { }\nlandscape a { seed 1 }\n';
    const { file, errors } = parseCrit(text);
    assert.deepEqual(codes(errors), ['syntax/outside-landscape']);
    assert.equal(slice(text, errors[0].range), 'seed 3\nnetwork { }');
    assert.deepEqual(file.landscapes.map((l) => l.name), ['a']);
  });

  it('reports lexer problems: unknown characters, NUL bytes, unterminated strings and comments', () => {
    const bad = parseCrit('landscape a { seed 1 § }');
    assert.deepEqual(codes(bad.errors), ['syntax/unknown-character']);
    assert.equal(bad.errors[0].range.start.character, 21);
    assert.equal(parseCrit('landscape a {\u0000}').errors[0].message.includes('U+0000'), true);
    const str = parseCrit('landscape a { export "out\n}');
    assert.ok(codes(str.errors).includes('syntax/unterminated-string'));
    assert.equal(str.file.landscapes[0].exports[0].path, 'out');
    assert.ok(codes(parseCrit('landscape a { } /* never closed').errors).includes('syntax/unterminated-comment'));
  });

  it('never throws on truncated files: every prefix of the sketch gives a tree and errors with valid ranges', () => {
    for (let cut = 0; cut <= SKETCH.length; cut += 3) {
      const text = SKETCH.slice(0, cut);
      const { file, errors } = parseCrit(text);
      assert.equal(file.kind, 'File');
      for (const e of errors) {
        assert.ok(e.range.start.offset <= e.range.end.offset && e.range.end.offset <= text.length, `${cut}: ${JSON.stringify(e.range)}`);
        assert.ok(e.message.length > 0 && e.code.startsWith('syntax/'));
      }
    }
  });

  it('refuses absurd nesting without exhausting the stack', () => {
    const { errors } = parseCrit(`landscape a { weights A = ${'['.repeat(100_000)} }`);
    assert.ok(codes(errors).includes('syntax/too-deep'));
  });

  /** CPU time, not wall time: other processes share the machine. */
  function cpuMs(run: () => void): number {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  }

  it('survives random bytes and random token soup quickly', () => {
    let state = 12345;
    const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296);
    const words = ['landscape', 'x', '{', '}', 'network', 'input', '3', 'layer', 'tanh', 'output', 'data', 'points', '[', ']', '(', ')', ',', 'weights', '=', 'A', 'normal', 'critical', 'hessian', 'saddle', 'plot', 'interpolate', '->', '-', '1e999', '"a', ';', '/*', '*', '+'];
    const cpu = cpuMs(() => {
      for (let i = 0; i < 200; i++) {
        let bytes = '';
        for (let j = random() * 300; j > 0; j--) bytes += String.fromCharCode(Math.floor(random() * 256));
        const soup = Array.from({ length: Math.floor(random() * 150) }, () => words[Math.floor(random() * words.length)]).join(random() < 0.5 ? ' ' : '\n');
        for (const text of [bytes, soup, `landscape q { ${soup} }`]) {
          const { file, errors } = parseCrit(text);
          assert.equal(file.kind, 'File');
          assert.ok(errors.length <= 101);
        }
      }
    });
    assert.ok(cpu < 10_000, `took ${cpu} ms of CPU`);
  });

  it('returns quickly on 1 MB inputs (random characters, junk inside a landscape) and a long valid file', () => {
    let state = 99;
    const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296);
    let bytes = '';
    for (let j = 0; j < 1_000_000; j++) bytes += String.fromCharCode(Math.floor(random() * 65536));
    const inputs = [bytes, `landscape a { ${'foo ( ] } { 12 ,'.repeat(60_000)}`, `landscape a { ${'weights A = normal(0, 1)\n'.repeat(12_000)} }`];
    for (const text of inputs) {
      assert.ok(text.length >= 300_000);
      const cpu = cpuMs(() => {
        const { file, errors } = parseCrit(text);
        assert.equal(file.kind, 'File');
        assert.ok(errors.length <= 101);
      });
      assert.ok(cpu < 6_000, `took ${cpu} ms of CPU`);
    }
  });
});

describe('navigation helpers', () => {
  it('nodeAt returns the path to the innermost node', () => {
    const file = parseOk(SKETCH);
    const offset = SKETCH.indexOf('tanh') + 1;
    assert.deepEqual(nodeAt(file, offset).map((n) => n.kind), ['File', 'Landscape', 'Network', 'Layer']);
    const inArgs = SKETCH.indexOf('normal(0, 2)') + 'normal(0, '.length;
    assert.deepEqual(nodeAt(file, inArgs).map((n) => n.kind), ['File', 'Landscape', 'Data', 'Inputs', 'Call', 'Number']);
  });

  it('weightReferences lists declarations and every use with its context', () => {
    const text = 'landscape a { data { labels teacher(A) } weights A = normal(0, 1) weights B = A + 0.1 * permute(A) critical A plot interpolate A -> B objective min-loss at A }\nlandscape b { weights A = he }';
    const symbols = weightReferences(parseOk(text));
    const a = symbols.find((s) => s.name === 'A' && s.landscape.name === 'a')!;
    assert.equal(a.declarations.length, 1);
    assert.deepEqual(a.references.map((r) => r.context).sort(), ['critical', 'expression', 'expression', 'objective', 'plot', 'teacher']);
    for (const r of a.references) assert.equal(slice(text, r.range), 'A');
    const otherA = symbols.find((s) => s.name === 'A' && s.landscape.name === 'b')!;
    assert.deepEqual(otherA.references, []);
  });
});
