/**
 * Loads Chevrotain (an ESM-only package) from this CommonJS code base.
 *
 * esbuild bundles `require('chevrotain')` into the server and CLI, and plain Node 20.19+ can require
 * ESM. Under tsx (the unit tests), however, tsx transpiles Chevrotain's ESM sources to CommonJS and
 * then cannot resolve their import-only sub-packages; the package's own single-file bundle
 * (lib/chevrotain.mjs) has no imports, so it loads there.
 */
import { dirname, join } from 'node:path';

export type ChevrotainApi = typeof import('chevrotain', { with: { 'resolution-mode': 'import' } });
export type IToken = import('chevrotain', { with: { 'resolution-mode': 'import' } }).IToken;
export type TokenType = import('chevrotain', { with: { 'resolution-mode': 'import' } }).TokenType;
export type CstNode = import('chevrotain', { with: { 'resolution-mode': 'import' } }).CstNode;
export type CstElement = import('chevrotain', { with: { 'resolution-mode': 'import' } }).CstElement;
export type IRecognitionException = import('chevrotain', { with: { 'resolution-mode': 'import' } }).IRecognitionException;
export type ILexingError = import('chevrotain', { with: { 'resolution-mode': 'import' } }).ILexingError;
export type IParserErrorMessageProvider = import('chevrotain', { with: { 'resolution-mode': 'import' } }).IParserErrorMessageProvider;

function loadChevrotain(): ChevrotainApi {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('chevrotain') as ChevrotainApi;
  } catch {
    // Only reached under tsx; a variable keeps bundlers from trying to resolve this fallback.
    const packageName = 'chevrotain';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(join(dirname(require.resolve(packageName)), '..', 'chevrotain.mjs')) as ChevrotainApi;
  }
}

export const chevrotain: ChevrotainApi = loadChevrotain();
