/**
 * Compiling a landscape for the server: files a spec names are read relative to the spec's folder,
 * only in a trusted workspace, and only up to a size limit.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileLandscape } from '../language';
import type { CompiledLandscape, CritDiagnostic, FileReader, LandscapeNode } from '../language';
import type { CritSettings } from '../protocol';
import type { EngineSettings } from '../worker/messages';
import { MAX_SPEC_FILE_BYTES } from './limits';
import { problemHash } from './problemHash';

/** The folder of a file: URI, or undefined for unsaved and remote documents. */
export function specFolder(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? dirname(fileURLToPath(uri)) : undefined;
  } catch {
    return undefined;
  }
}

function trustedReader(baseDir: string | undefined): FileReader {
  return {
    readFile(path: string): Uint8Array {
      if (!isAbsolute(path) && baseDir === undefined) throw new Error('save the spec first: relative paths resolve against its folder');
      const full = baseDir === undefined ? path : resolve(baseDir, path);
      const size = statSync(full).size;
      if (size > MAX_SPEC_FILE_BYTES) throw new Error(`${path} has ${size} bytes, above the ${MAX_SPEC_FILE_BYTES}-byte limit for spec files`);
      return readFileSync(full);
    },
  };
}

const untrustedReader: FileReader = {
  readFile(path: string): Uint8Array {
    throw new Error(`not reading ${path}: the workspace is not trusted`);
  },
};

export function engineSettings(settings: CritSettings): EngineSettings {
  return { memoryBudgetBytes: settings.memoryBudgetBytes, tolerances: settings.tolerances };
}

export interface ServerCompilation {
  compiled?: CompiledLandscape;
  problemHash?: string;
  diagnostics: CritDiagnostic[];
}

export function compileForServer(uri: string, landscape: LandscapeNode, settings: CritSettings): ServerCompilation {
  const baseDir = specFolder(uri);
  const reader = settings.trusted ? trustedReader(baseDir) : untrustedReader;
  const { problem, diagnostics } = compileLandscape(landscape, reader, { baseDir });
  if (problem === undefined) return { diagnostics };
  if (settings.memoryBudgetBytes !== undefined) problem.problem.memoryBudgetBytes = settings.memoryBudgetBytes;
  return { compiled: problem, problemHash: problemHash(problem.problem, engineSettings(settings)), diagnostics };
}
