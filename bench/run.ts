// `npm run bench`: Crit's heavy dense operations in TypeScript (native addon and pure path) against
// NumPy doing the same thing by the same LAPACK method, on the same matrices, median of 3.
//   planting factorisation  thin SVD of the K·N × M constraint matrix C (what engine/plant.ts factorises)
//   planting solve  minimum-norm least squares of the K·N × M constraint system C x = r (M = 5·K·N)
//   Hessian spectrum symmetric eigen (values and vectors) of an N × N matrix
//   gemm            C·Cᵀ for the K·N × M constraint matrix
// The pure path runs only up to PURE_LIMIT[op] (beyond that one run takes minutes); pass --pure-all
// to run it everywhere, --solves-only to run only the whole-solve rows. --threads N sets OPENBLAS_NUM_THREADS for both OpenBLAS builds (the addon's
// and NumPy's); the default is each library's own (one thread per core). Matrices and NumPy's
// answers go to .bench/ (git-ignored).
import { execFileSync, spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadNativeLinAlg, mat, pureLinAlg } from '../server/src/engine/linalg';
import type { LinAlg, Mat } from '../server/src/engine/linalg';
import { solveProblem } from '../server/src/engine';
import { evaluate } from '../server/src/engine/derivatives';
import { createRng } from '../server/src/engine/random';
import type { PlantProblem } from '../server/src/engine/types';

type Op = 'svd' | 'lstsq' | 'symEig' | 'gemm';

interface BenchCase {
  id: string;
  op: Op;
  label: string;
  a: string;
  rows: number;
  cols: number;
  b?: string;
  rcond?: number;
}

const REPEATS = 3;
const SIZES = [250, 500, 1000, 2000]; // K·N
const PURE_LIMIT: Record<Op, number> = { svd: 500, lstsq: 500, symEig: 1000, gemm: 1000 };
const OP_LABEL: Record<Op, string> = {
  svd: 'planting factorisation: thin SVD of C, K·N × 5K·N',
  lstsq: 'planting solve: min-norm lstsq K·N × 5K·N',
  symEig: 'Hessian spectrum: symEig N × N (values + vectors)',
  gemm: 'gemm C·Cᵀ, C = K·N × 5K·N',
};

const repoRoot = path.resolve(__dirname, '..');
const benchDir = path.join(repoRoot, '.bench');
const pureAll = process.argv.includes('--pure-all');
const solvesOnly = process.argv.includes('--solves-only');
const threadsFlag = process.argv.indexOf('--threads');
// Set before the addon loads (OpenBLAS reads it once, at load); the NumPy worker inherits it.
if (threadsFlag >= 0) process.env.OPENBLAS_NUM_THREADS = String(Number(process.argv[threadsFlag + 1]));

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

function writeMatrix(name: string, A: Mat): string {
  writeFileSync(path.join(benchDir, name), new Uint8Array(A.data.buffer, A.data.byteOffset, A.data.byteLength));
  return name;
}

function readResult(id: string): Float64Array {
  const bytes = readFileSync(path.join(benchDir, `${id}.numpy.f64`));
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Random matrices with a seeded generator; the Hessian stand-in is symmetric indefinite with a PSD Gauss-Newton part. */
function buildCases(): { cases: BenchCase[]; matrices: Map<string, Mat> } {
  const rng = createRng(20261204);
  const cases: BenchCase[] = [];
  const matrices = new Map<string, Mat>();
  for (const kn of SIZES) {
    const m = 5 * kn;
    const C = mat(kn, m, rng.fork(`C${kn}`).fillNormal(new Float64Array(kn * m)));
    const r = mat(kn, 1, rng.fork(`r${kn}`).fillNormal(new Float64Array(kn)));
    const noise = rng.fork(`H${kn}`).fillNormal(new Float64Array(kn * kn));
    const H = pureLinAlg.gemm(mat(kn, kn, noise), mat(kn, kn, noise), false, true);
    for (let i = 0; i < kn; i++) for (let j = 0; j < kn; j++) H.data[i * kn + j] -= 0.5 * (noise[i * kn + j] + noise[j * kn + i]) * kn;
    const cName = writeMatrix(`C${kn}.f64`, C);
    const rName = writeMatrix(`r${kn}.f64`, r);
    const hName = writeMatrix(`H${kn}.f64`, H);
    matrices.set(cName, C).set(rName, r).set(hName, H);
    const rcond = Number.EPSILON * m; // σ_max · max(shape) · ε, the rank tolerance of docs/math.md
    cases.push({ id: `svd${kn}`, op: 'svd', label: `${kn} × ${m}`, a: cName, rows: kn, cols: m });
    cases.push({ id: `lstsq${kn}`, op: 'lstsq', label: `${kn} × ${m}`, a: cName, rows: kn, cols: m, b: rName, rcond });
    cases.push({ id: `symEig${kn}`, op: 'symEig', label: `${kn} × ${kn}`, a: hName, rows: kn, cols: kn });
    cases.push({ id: `gemm${kn}`, op: 'gemm', label: `${kn} × ${m} · ${m} × ${kn}`, a: cName, rows: kn, cols: m });
  }
  return { cases, matrices };
}

function runOnce(linalg: LinAlg, c: BenchCase, matrices: Map<string, Mat>): Float64Array {
  const A = matrices.get(c.a) as Mat;
  if (c.op === 'svd') return linalg.svd(A).s;
  if (c.op === 'lstsq') return linalg.lstsq(A, matrices.get(c.b as string) as Mat, c.rcond as number).X.data;
  if (c.op === 'symEig') return linalg.symEig(A, true).values;
  return linalg.gemm(A, A, false, true).data;
}

/** Times one run of the case, returning its answer too. */
function timeOnce(linalg: LinAlg, c: BenchCase, matrices: Map<string, Mat>): { seconds: number; result: Float64Array } {
  const start = performance.now();
  const result = runOnce(linalg, c, matrices);
  return { seconds: (performance.now() - start) / 1000, result };
}

/** The NumPy worker (bench/reference.py): send a case id, get the seconds of one run back. */
async function startNumpy(): Promise<{ version: string; run: (id: string) => Promise<number>; stop: () => void }> {
  const child = spawn('python3', [path.join(__dirname, 'reference.py'), benchDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await lines.next();
    if (line.done === true) throw new Error('bench/reference.py exited early');
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  const { numpy } = await next();
  return {
    version: String(numpy),
    run: async (id) => {
      child.stdin.write(`${id}\n`);
      return Number((await next()).seconds);
    },
    stop: () => child.stdin.end(),
  };
}

/** max |a − b| / max |b|: how far an answer is from NumPy's, relative to its size. */
function relativeDifference(a: Float64Array, b: Float64Array): number {
  let diff = 0;
  let size = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    size = Math.max(size, Math.abs(b[i]));
  }
  return diff / (size || 1);
}

const fmt = (seconds: number | undefined): string => (seconds === undefined ? '—' : seconds < 0.1 ? seconds.toFixed(4) : seconds.toFixed(3));
const ratio = (x: number | undefined, ref: number): string => (x === undefined ? '—' : `${(x / ref).toFixed(2)}×`);

/** Whole planting solves: tanh MLP d-h-1 with biases, K points, targets 'any', M = 5·K·N samples. */
const SOLVE_SIZES: Array<{ K: number; h: number }> = [{ K: 1, h: 25 }, { K: 2, h: 25 }, { K: 2, h: 50 }, { K: 2, h: 100 }];
const SOLVE_INPUTS = 8;
const PURE_SOLVE_LIMIT = 502; // K·N

function solveBenchProblem(K: number, h: number): { id: string; problem: PlantProblem; N: number } {
  const d = SOLVE_INPUTS;
  const N = h * (d + 2) + 1;
  const m = 5 * K * N;
  const rng = createRng(7).fork(`solve-${K}-${h}`);
  const id = `solve${K}x${N}`;
  const X = rng.fork('X').fillNormal(new Float64Array(m * d));
  const Y0 = rng.fork('Y0').fillNormal(new Float64Array(m));
  const thetas = rng.fork('theta').fillNormal(new Float64Array(K * N), 0, 0.5);
  const network: PlantProblem['network'] = { sizes: [d, h, 1], activations: ['tanh', 'linear'], bias: true };
  // With a linear output layer and biases, every point's output-bias gradient row is 1ᵀ, so the system
  // is consistent only if all points have the same mean prediction: shift each output bias to match P1's.
  const meanPrediction = (k: number): number => evaluate(network, thetas.subarray(k * N, (k + 1) * N), X, m).trace.output.reduce((a, b) => a + b, 0) / m;
  const target = meanPrediction(0);
  for (let k = 1; k < K; k++) thetas[(k + 1) * N - 1] += target - meanPrediction(k);
  for (const [suffix, values] of [['X', X], ['Y0', Y0], ['thetas', thetas]] as const) {
    writeMatrix(`${id}.${suffix}.f64`, mat(1, values.length, values));
  }
  const planted = Array.from({ length: K }, (_, k) => ({ name: `P${k + 1}`, theta: thetas.slice(k * N, (k + 1) * N), target: { kind: 'any' as const } }));
  return {
    id,
    N,
    problem: { network, data: { m, dx: d, dy: 1, X, Y0 }, planted, objective: { kind: 'closest' } },
  };
}

function benchWholeSolves(native: LinAlg | undefined): string[] {
  const rows: string[] = [];
  for (const { K, h } of SOLVE_SIZES) {
    const { id, problem, N } = solveBenchProblem(K, h);
    const m = problem.data.m;
    const timeSolve = (linalg: LinAlg): { seconds: number; result: Float64Array; worstGradient: number } => {
      const seconds: number[] = [];
      let result = new Float64Array(0);
      let worstGradient = 0;
      solveProblem(problem, { linalg }); // untimed warm-up (JIT), as the NumPy side does one too
      for (let i = 0; i < REPEATS; i++) {
        const start = performance.now();
        const solved = solveProblem(problem, { linalg });
        seconds.push((performance.now() - start) / 1000);
        const eigenvalues = solved.certificates.map((c) => c.eigenvalues ?? new Float64Array(0));
        result = Float64Array.from([...solved.Y, ...eigenvalues.flatMap((e) => Array.from(e))]);
        worstGradient = Math.max(...solved.certificates.map((c) => c.relativeGradientNorm));
      }
      return { seconds: median(seconds), result, worstGradient };
    };
    const nativeRun = native === undefined ? undefined : timeSolve(native);
    const pureRun = pureAll || K * N <= PURE_SOLVE_LIMIT ? timeSolve(pureLinAlg) : undefined;
    const reference = JSON.parse(execFileSync('python3', [path.join(__dirname, 'solve_reference.py'), benchDir, id,
      String(SOLVE_INPUTS), String(h), String(m), String(K), String(REPEATS)], { encoding: 'utf8' })) as { seconds: number; relativeGradientNorms: number[] };
    const numpyResult = readResult(id);
    // Labels and eigenvalues are compared separately: each relative to its own size.
    const diff = (run: { result: Float64Array } | undefined): string => {
      if (run === undefined) return '—';
      const labels = relativeDifference(run.result.subarray(0, m), numpyResult.subarray(0, m));
      const spectra = relativeDifference(run.result.subarray(m), numpyResult.subarray(m));
      return `${labels.toExponential(1)} / ${spectra.toExponential(1)}`;
    };
    const numpyGradient = Math.max(...reference.relativeGradientNorms);
    const row = `| whole solve incl. certificate (K=${K}, tanh ${SOLVE_INPUTS}-${h}-1) | K·N ${K * N}, M ${m} | ${fmt(reference.seconds)} | ${fmt(nativeRun?.seconds)} | ${ratio(nativeRun?.seconds, reference.seconds)} | ${fmt(pureRun?.seconds)} | ${ratio(pureRun?.seconds, reference.seconds)} | ${diff(nativeRun)} | ${diff(pureRun)} |`;
    process.stderr.write(`${row}\n  max ||Jᵀr||/(||J||_F||r||): NumPy ${numpyGradient.toExponential(1)}, native ${nativeRun?.worstGradient.toExponential(1) ?? '—'}, pure ${pureRun?.worstGradient.toExponential(1) ?? '—'}\n`);
    rows.push(row);
  }
  return rows;
}

async function main(): Promise<void> {
  mkdirSync(benchDir, { recursive: true });
  const native = loadNativeLinAlg();
  const { cases, matrices } = buildCases();
  writeFileSync(path.join(benchDir, 'manifest.json'), JSON.stringify({ repeats: REPEATS, cases }));
  const numpy = await startNumpy();

  console.log(`native: ${native.linalg !== undefined ? `${native.path} (OpenBLAS threads ${native.threads})` : `unavailable: ${native.reason}`}`);
  const loadBefore = loadavg()[0];
  const rows: string[] = [];
  for (const c of solvesOnly ? [] : cases) {
    // Native and NumPy runs alternate so both see the same machine load; the pure runs follow.
    const nativeSeconds: number[] = [];
    const numpySeconds: number[] = [];
    let nativeResult: Float64Array | undefined;
    for (let i = 0; i < REPEATS; i++) {
      if (native.linalg !== undefined) {
        const run = timeOnce(native.linalg, c, matrices);
        nativeSeconds.push(run.seconds);
        nativeResult = run.result;
      }
      numpySeconds.push(await numpy.run(c.id));
    }
    const pureSeconds: number[] = [];
    let pureResult: Float64Array | undefined;
    if (pureAll || c.rows <= PURE_LIMIT[c.op]) {
      for (let i = 0; i < REPEATS; i++) {
        const run = timeOnce(pureLinAlg, c, matrices);
        pureSeconds.push(run.seconds);
        pureResult = run.result;
      }
    }
    const reference = readResult(c.id);
    const numpyMedian = median(numpySeconds);
    const nativeMedian = nativeSeconds.length > 0 ? median(nativeSeconds) : undefined;
    const pureMedian = pureSeconds.length > 0 ? median(pureSeconds) : undefined;
    const diff = (result: Float64Array | undefined): string => (result === undefined ? '—' : relativeDifference(result, reference).toExponential(1));
    const row = `| ${OP_LABEL[c.op]} | ${c.label} | ${fmt(numpyMedian)} | ${fmt(nativeMedian)} | ${ratio(nativeMedian, numpyMedian)} | ${fmt(pureMedian)} | ${ratio(pureMedian, numpyMedian)} | ${diff(nativeResult)} | ${diff(pureResult)} |`;
    process.stderr.write(`${row}\n`);
    rows.push(row);
  }
  numpy.stop();
  rows.push(...benchWholeSolves(native.linalg));

  console.log(`\nMedian of ${REPEATS} runs, seconds; ratio = time / NumPy ${numpy.version} time (lower is faster); diff = max|x − x_numpy| / max|x_numpy| (whole solves: labels / Hessian eigenvalues).`);
  console.log(`1-minute load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after, on ${availableParallelism()} cores.\n`);
  console.log('| operation | size | NumPy | native | native/NumPy | pure TS | pure/NumPy | diff native | diff pure |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
  if (!pureAll) {
    console.log(`\npure TS runs only up to K·N = ${PURE_LIMIT.lstsq} (svd, lstsq) / ${PURE_LIMIT.symEig} (symEig, gemm): above that one run takes minutes. npm run bench -- --pure-all runs it everywhere.`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
