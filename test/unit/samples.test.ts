import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileLandscape, parseCrit, validateFile } from '../../server/src/language';
import { checkSolvability } from '../../server/src/language/solvabilityCheck';

const SAMPLES = join(__dirname, '..', '..', 'samples');

/** What validation (`crit check --no-analysis`) reports for each landscape of unsolvable.crit (its comments name the same codes). */
const UNSOLVABLE: Record<string, string[]> = {
  too_few_points: ['counts/too-few-points'],
  impossible_maximum: ['hessian/structurally-impossible'],
  misspelt: ['names/unknown-activation', 'names/undefined-weights'],
  absurd_size: ['values/too-many-points'],
  // Only the solvability analysis finds this one (checked below).
  output_bias_conflict: [],
};

/** Informational diagnostics a sample's comment announces. */
const ANNOUNCED: Record<string, string[]> = {
  'relu_symmetry.crit': ['hessian/symmetry-zeros'],
};

describe('samples', () => {
  const files = readdirSync(SAMPLES).filter((f) => f.endsWith('.crit'));

  it('are all present', () => {
    for (const name of ['fig1_teacher.crit', 'fig2_two_points.crit', 'saddle_index.crit', 'sharp_vs_flat.crit', 'relu_symmetry.crit', 'unsolvable.crit']) {
      assert.ok(files.includes(name), name);
    }
  });

  for (const name of files) {
    it(`${name} parses, starts with a comment saying what it shows, and validates as it says`, () => {
      const text = readFileSync(join(SAMPLES, name), 'utf8');
      assert.match(text, /^\/\/ .+\n/);
      assert.match(text, /what to look at|quick fix/i);
      const { file, errors } = parseCrit(text);
      assert.deepEqual(errors, []);
      const diagnostics = validateFile(file);
      if (name === 'unsolvable.crit') {
        assert.deepEqual(file.landscapes.map((l) => l.name).sort(), Object.keys(UNSOLVABLE).sort());
        for (const l of file.landscapes) {
          const inside = diagnostics.filter((d) => d.range.start.offset >= l.range.start.offset && d.range.end.offset <= l.range.end.offset);
          assert.deepEqual(inside.map((d) => d.code).sort(), [...UNSOLVABLE[l.name!]].sort(), l.name);
          for (const code of UNSOLVABLE[l.name!]) assert.ok(text.includes(code), `the comment names ${code}`);
        }
        const conflict = file.landscapes.find((l) => l.name === 'output_bias_conflict')!;
        const compiled = compileLandscape(conflict, undefined).problem;
        assert.ok(compiled);
        const { diagnostics: solvability } = checkSolvability(conflict, compiled);
        assert.deepEqual(solvability.filter((d) => d.severity === 'error').map((d) => d.code), ['solvability/output-bias-conflict']);
        assert.ok(text.includes('solvability/output-bias-conflict'));
        return;
      }
      assert.deepEqual(diagnostics.map((d) => d.code), ANNOUNCED[name] ?? []);
      for (const code of ANNOUNCED[name] ?? []) assert.ok(text.includes(code), `the comment names ${code}`);
      for (const l of file.landscapes) {
        const compiled = compileLandscape(l, undefined);
        assert.ok(compiled.problem, `${l.name}: ${compiled.diagnostics.map((d) => d.message).join('; ')}`);
        const { network, planted } = compiled.problem.problem;
        const n = network.sizes.slice(1).reduce((s, d, i) => s + d * (network.sizes[i] + (network.bias ? 1 : 0)), 0);
        assert.ok(n * planted.length <= 300, `${l.name}: N·K = ${n * planted.length} must stay small`);
      }
    });
  }
});
