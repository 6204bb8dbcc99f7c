/**
 * What every `crit` command does to a spec file before its own work: read it (refusing what is not
 * text), parse, validate, and compile each landscape with files read relative to the spec's folder.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { compileLandscape, parseCrit, validateFile } from '../language';
import type { CompiledLandscape, CritDiagnostic, FileNode, FileReader, LandscapeNode } from '../language';
import { MAX_DOCUMENT_CHARS, MAX_SPEC_FILE_BYTES } from '../lsp/limits';

/** A diagnostic with the file it belongs to. */
export interface FileDiagnostic extends CritDiagnostic {
  file: string;
}

export interface LoadedSpec {
  /** As given on the command line. */
  path: string;
  text: string;
  file: FileNode;
  /** Syntax and validation diagnostics (or one io/... diagnostic when the file could not be read). */
  diagnostics: FileDiagnostic[];
}

export interface LandscapeCompilation {
  node: LandscapeNode;
  compiled?: CompiledLandscape;
  diagnostics: FileDiagnostic[];
}

const EMPTY_RANGE = { start: { line: 0, character: 0, offset: 0 }, end: { line: 0, character: 0, offset: 0 } };

function fileProblem(path: string, code: string, message: string): FileDiagnostic {
  return { file: path, code, severity: 'error', message, range: EMPTY_RANGE };
}

function emptyFile(): FileNode {
  return { kind: 'File', range: EMPTY_RANGE, landscapes: [], comments: [] } as FileNode;
}

/** Reads and analyses a spec; never throws (unreadable files become one diagnostic). */
export function loadSpec(path: string): LoadedSpec {
  let bytes: Uint8Array;
  try {
    if (statSync(path).isDirectory()) return { path, text: '', file: emptyFile(), diagnostics: [fileProblem(path, 'io/not-a-file', 'is a folder, not a .crit file')] };
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'no such file' : `cannot read the file (${(e as Error).message})`;
    return { path, text: '', file: emptyFile(), diagnostics: [fileProblem(path, 'io/unreadable', message)] };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { path, text: '', file: emptyFile(), diagnostics: [fileProblem(path, 'io/not-text', 'is not UTF-8 text (binary or garbage bytes); a .crit spec is a text file')] };
  }
  if (text.includes('\u0000')) {
    return { path, text, file: emptyFile(), diagnostics: [fileProblem(path, 'io/not-text', 'contains NUL bytes; a .crit spec is a text file')] };
  }
  if (text.length > MAX_DOCUMENT_CHARS) {
    return { path, text, file: emptyFile(), diagnostics: [fileProblem(path, 'limits/document-too-large', `has ${text.length} characters, more than the ${MAX_DOCUMENT_CHARS} Crit reads; split it into smaller specs`)] };
  }
  const parsed = parseCrit(text);
  const diagnostics = [...parsed.errors, ...validateFile(parsed.file)].map((d) => ({ ...d, file: path }));
  return { path, text, file: parsed.file, diagnostics };
}

/** Files named in the spec, relative to its folder, up to the same size limit as the language server. */
export function specFileReader(baseDir: string): FileReader {
  return {
    readFile(path: string): Uint8Array {
      const full = resolve(baseDir, path);
      const size = statSync(full).size;
      if (size > MAX_SPEC_FILE_BYTES) throw new Error(`${path} has ${size} bytes, above the ${MAX_SPEC_FILE_BYTES}-byte limit for spec files`);
      return readFileSync(full);
    },
  };
}

function hasErrorInside(diagnostics: readonly CritDiagnostic[], node: LandscapeNode): boolean {
  return diagnostics.some(
    (d) => d.severity === 'error' && d.range.start.offset < node.range.end.offset && d.range.end.offset >= node.range.start.offset,
  );
}

/** Compiles each landscape that has no syntax or validation error; `only` picks one by name. */
export function compileSpec(spec: LoadedSpec, only?: string): LandscapeCompilation[] {
  const baseDir = dirname(resolve(spec.path));
  const reader = specFileReader(baseDir);
  return spec.file.landscapes
    .filter((node) => only === undefined || node.name === only)
    .map((node) => {
      if (hasErrorInside(spec.diagnostics, node)) return { node, diagnostics: [] };
      const { problem, diagnostics } = compileLandscape(node, reader, { baseDir });
      // compileLandscape repeats the landscape's validation diagnostics, already in spec.diagnostics.
      const seen = new Set(spec.diagnostics.map(diagnosticKey));
      const fresh = diagnostics.filter((d) => !seen.has(diagnosticKey(d)));
      return { node, compiled: problem, diagnostics: fresh.map((d) => ({ ...d, file: spec.path })) };
    });
}

function diagnosticKey(d: CritDiagnostic): string {
  return `${d.code}\u0000${d.range.start.offset}\u0000${d.range.end.offset}\u0000${d.message}`;
}

/** `file:line:col: severity code: message`, line and column 1-based (column in UTF-16 units, as editors count). */
export function formatDiagnostic(d: FileDiagnostic): string {
  return `${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code}: ${d.message}`;
}

/** The diagnostic's line, then one indented `fix: TITLE` line per suggested fix (no `file:line:` prefix, so tools matching diagnostics skip them). */
export function diagnosticLines(d: FileDiagnostic): string[] {
  return [formatDiagnostic(d), ...(d.fixes ?? []).map((f) => `    fix: ${f.title}`)];
}

export function diagnosticJson(d: FileDiagnostic): object {
  return {
    file: d.file,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.fixes ? { fixes: d.fixes.map((f) => f.title) } : {}),
  };
}

/** Orders diagnostics by position, errors before warnings at the same place. */
export function sortDiagnostics(list: FileDiagnostic[]): FileDiagnostic[] {
  const rank = { error: 0, warning: 1, information: 2, hint: 3 } as const;
  return [...list].sort((a, b) => a.file.localeCompare(b.file) || a.range.start.offset - b.range.start.offset || rank[a.severity] - rank[b.severity]);
}
