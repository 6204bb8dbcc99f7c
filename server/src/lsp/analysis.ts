/**
 * Tier-1 analysis of one document version: syntax, names and shapes. Cheap and synchronous.
 * INTERIM: until server/src/language lands this only checks bracket balance, so the server can
 * publish syntax diagnostics from the start; it will call parseCrit + validateFile.
 */
export interface Tier1Diagnostic {
  code: string;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

export interface DocumentAnalysis {
  diagnostics: Tier1Diagnostic[];
}

export function analyzeText(text: string): DocumentAnalysis {
  const diagnostics: Tier1Diagnostic[] = [];
  const open: { line: number; character: number }[] = [];
  let line = 0;
  let character = 0;
  let inComment = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') {
      line++;
      character = 0;
      inComment = false;
      continue;
    }
    if (!inComment && ch === '/' && text[i + 1] === '/') inComment = true;
    if (!inComment && ch === '{') open.push({ line, character });
    if (!inComment && ch === '}') {
      if (open.pop() === undefined) {
        diagnostics.push({
          code: 'syntax/unexpected-token',
          severity: 'error',
          message: "unexpected '}' with no '{' to close",
          range: { start: { line, character }, end: { line, character: character + 1 } },
        });
      }
    }
    character++;
  }
  for (const at of open) {
    diagnostics.push({
      code: 'syntax/unclosed-block',
      severity: 'error',
      message: "this '{' is never closed",
      range: { start: at, end: { line: at.line, character: at.character + 1 } },
    });
  }
  return { diagnostics };
}
