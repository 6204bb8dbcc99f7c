import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { diagnosticsMatching, openCritDocument } from './helpers';

suite('language server diagnostics', () => {
  test('the server publishes a syntax error for a broken sample', async () => {
    const document = await openCritDocument('fixtures', 'broken.crit');
    const diagnostics = await diagnosticsMatching(
      document.uri,
      (found) => found.some((d) => d.severity === vscode.DiagnosticSeverity.Error),
      45_000,
    );
    const error = diagnostics.find((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.ok(error);
    assert.ok(error.message.length > 0, 'diagnostic has a message');
    assert.ok(error.range.end.line < document.lineCount, 'diagnostic range lies inside the document');
  });
});
