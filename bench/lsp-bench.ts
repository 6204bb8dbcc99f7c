/**
 * Language-server benchmark (a script, not a test): drives the built server (dist/server/server.js)
 * over stdio with a real LSP client, on a 300-line file with six landscapes, and prints
 *   - tier-1 diagnostics latency after a change (change sent -> versioned publish received),
 *   - completion and hover latency,
 *   - the background rank check for K·N = 1000 (change -> tier-2 diagnostics published),
 *   - the server's resident memory over 1000 edits.
 * Run: npm run build && node --import tsx bench/lsp-bench.ts [--json]
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { CompletionRequest, HoverRequest } from 'vscode-languageserver-protocol/node';
import { startServer, type TestClient } from '../test/protocol/client';

const LANDSCAPES = 6;
const EDITS_FOR_LATENCY = 200;
const REQUESTS = 200;
const MEMORY_EDITS = 1000;
const RANK_RUNS = 5;

/** One ~50-line landscape; `width` varies so edits change shapes. */
function landscape(index: number, width: number): string {
  return `// Landscape ${index}: a tanh network with two planted points.
// The comments make the file look like a real, documented spec.
landscape bench_${index} {
  seed ${index}
  network {
    input 3
    layer ${width} tanh   // hidden layer
    layer 6 relu
    output 1 linear
    bias off
  }
  data {
    points 400
    inputs normal(0, 2)
    labels teacher(A) + noise(0.1)
  }
  // Planted points
  weights A = normal(0, 1)
  weights B = A + 0.1 * normal(0, 1)
  weights C = normal(0, 1)

  critical A {
    hessian minimum
    margin 0.01
  }

  critical B {
    hessian any
  }

  objective closest
  plot interpolate A -> B from -0.5 to 1.5 steps 101
  plot spectrum A
  plot dataset
  export "out/bench_${index}" as npz, csv
}
${'// notes\n'.repeat(13)}`;
}

function file(width: number): string {
  return Array.from({ length: LANDSCAPES }, (_, i) => landscape(i, width + i)).join('\n');
}

/** K·N = 2 · (9·50 + 50·1) = 1000 gradient equations, 1100 labels. */
function rankLandscape(seed: number): string {
  return `landscape rank_check {
  seed ${seed}
  network {
    input 9
    layer 50 tanh
    output 1 linear
    bias off
  }
  data {
    points 1100
    inputs normal(0, 2)
    labels zeros + noise(1)
  }
  weights A = normal(0, 1)
  weights B = normal(0, 1)
  critical A
  critical B
}
`;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function rssMiB(client: TestClient): number {
  const status = readFileSync(`/proc/${client.process.pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kib / 1024;
}

async function timed<T>(run: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function tier1Latency(client: TestClient): Promise<number[]> {
  const uri = 'file:///tmp/crit-bench/tier1.crit';
  await client.open(uri, file(8));
  await client.diagnostics(uri, 1, 30_000);
  const latencies: number[] = [];
  for (let v = 2; v <= EDITS_FOR_LATENCY + 1; v++) {
    latencies.push(await timed(async () => {
      await client.change(uri, file(8 + (v % 5)), v);
      await client.diagnostics(uri, v, 30_000);
    }));
  }
  return latencies;
}

async function requestLatency(client: TestClient): Promise<{ completion: number[]; hover: number[] }> {
  const uri = 'file:///tmp/crit-bench/requests.crit';
  const text = file(8);
  await client.open(uri, text);
  await client.diagnostics(uri, 1, 30_000);
  const lines = text.split('\n');
  const layerLines = lines.map((l, i) => (l.includes('layer') ? i : -1)).filter((i) => i >= 0);
  const completion: number[] = [];
  const hover: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const line = layerLines[i % layerLines.length];
    completion.push(await timed(() => client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character: lines[line].indexOf('tanh') } })));
    hover.push(await timed(() => client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character: lines[line].indexOf('layer') + 2 } })));
  }
  return { completion, hover };
}

async function rankCheck(client: TestClient): Promise<number[]> {
  const uri = 'file:///tmp/crit-bench/rank.crit';
  await client.open(uri, rankLandscape(1));
  await client.waitFor('first check', () => (client.statuses.at(-1)?.state === 'idle' && client.statuses.some((s) => s.state === 'checking') ? true : undefined), 60_000);
  const times: number[] = [];
  for (let run = 0; run < RANK_RUNS; run++) {
    const version = run + 2;
    const before = client.statuses.length;
    times.push(await timed(async () => {
      // A new seed: new numbers, so the report cache cannot answer.
      await client.change(uri, rankLandscape(100 + run), version);
      await client.waitFor('rank check', () => {
        const after = client.statuses.slice(before);
        const checking = after.findIndex((s) => s.state === 'checking');
        return checking >= 0 && after.slice(checking).some((s) => s.state === 'idle') ? true : undefined;
      }, 60_000);
    }));
  }
  return times;
}

async function memory(client: TestClient): Promise<{ edits: number; rssMiB: number }[]> {
  const uri = 'file:///tmp/crit-bench/memory.crit';
  await client.open(uri, file(8));
  await client.diagnostics(uri, 1, 30_000);
  const samples = [{ edits: 0, rssMiB: rssMiB(client) }];
  for (let v = 2; v <= MEMORY_EDITS + 1; v++) {
    await client.change(uri, file(8 + (v % 7)), v);
    await client.diagnostics(uri, v, 30_000);
    if ((v - 1) % 250 === 0) samples.push({ edits: v - 1, rssMiB: rssMiB(client) });
  }
  return samples;
}

async function main(): Promise<void> {
  const client = await startServer({ trusted: true, backgroundChecks: true });
  try {
    const lines = file(8).split('\n').length;
    const tier1 = await tier1Latency(client);
    const requests = await requestLatency(client);
    const rank = await rankCheck(client);
    const rss = await memory(client);
    const figures = {
      fileLines: lines,
      landscapes: LANDSCAPES,
      tier1Ms: { median: quantile(tier1, 0.5), p95: quantile(tier1, 0.95), runs: tier1.length },
      completionMs: { median: quantile(requests.completion, 0.5), p95: quantile(requests.completion, 0.95), runs: REQUESTS },
      hoverMs: { median: quantile(requests.hover, 0.5), p95: quantile(requests.hover, 0.95), runs: REQUESTS },
      rankCheckKN1000Ms: { median: quantile(rank, 0.5), max: Math.max(...rank), runs: rank.length },
      memory: rss,
      loadAverage: loadavg(),
    };
    if (process.argv.includes('--json')) {
      console.log(JSON.stringify(figures, null, 2));
      return;
    }
    const f = (x: number): string => x.toFixed(1);
    console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`file: ${lines} lines, ${LANDSCAPES} landscapes`);
    console.log(`tier-1 diagnostics after a change: median ${f(figures.tier1Ms.median)} ms, p95 ${f(figures.tier1Ms.p95)} ms (${tier1.length} edits; includes the 15 ms debounce)`);
    console.log(`completion: median ${f(figures.completionMs.median)} ms, p95 ${f(figures.completionMs.p95)} ms`);
    console.log(`hover: median ${f(figures.hoverMs.median)} ms, p95 ${f(figures.hoverMs.p95)} ms`);
    console.log(`background rank check, K·N = 1000: median ${f(figures.rankCheckKN1000Ms.median)} ms, max ${f(figures.rankCheckKN1000Ms.max)} ms (${rank.length} runs, change -> tier-2 published)`);
    console.log(`server RSS over ${MEMORY_EDITS} edits: ${rss.map((s) => `${s.edits}: ${f(s.rssMiB)} MiB`).join(', ')}`);
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
