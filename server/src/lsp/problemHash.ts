/**
 * A content hash of a compiled problem: the numbers the engine would see, and the settings that
 * change its answer. Equal hashes mean a cached check or solve applies (editing a comment, spacing
 * or an unrelated landscape leaves it unchanged).
 */
import { createHash } from 'node:crypto';
import type { PlantProblem } from '../engine/types';
import type { EngineSettings } from '../worker/messages';

function bytesOf(array: Float64Array | Uint8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

export function problemHash(problem: PlantProblem, settings: EngineSettings): string {
  const hash = createHash('sha256');
  const { network, data, planted, objective } = problem;
  hash.update(JSON.stringify({ network, objective, m: data.m, dx: data.dx, dy: data.dy, settings, budget: problem.memoryBudgetBytes }));
  hash.update(bytesOf(data.X));
  hash.update(bytesOf(data.Y0));
  hash.update(data.fixed === undefined ? 'no-fixed' : bytesOf(data.fixed));
  for (const point of planted) {
    hash.update(JSON.stringify({ name: point.name, target: point.target }));
    hash.update(bytesOf(point.theta));
  }
  return hash.digest('hex');
}
