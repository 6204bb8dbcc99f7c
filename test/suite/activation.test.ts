import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { EXTENSION_ID, openCritDocument } from './helpers';

suite('activation', () => {
  test('the extension is installed and not active before a .crit file is opened', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    assert.equal(extension.isActive, false, 'activationEvents should be onLanguage:crit only');
  });

  test('opening a .crit file gives it the crit language and activates the extension', async () => {
    const document = await openCritDocument('fixtures', 'broken.crit');
    assert.equal(document.languageId, 'crit');
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    const deadline = Date.now() + 30_000;
    while (!extension.isActive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(extension.isActive, true, 'opening a .crit file did not activate the extension within 30 s');
    // isActive is also true when activate() threw; activate() re-throws that failure.
    await extension.activate();
  });
});
