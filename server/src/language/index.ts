/** The language layer's public API: parse, validate, compile .crit specs and map engine results to diagnostics. */
export type * from './ast';
export type { SourcePosition, SourceRange } from './positions';
export { LineIndex, rangeContains } from './positions';
export type { Severity, TextEdit, SuggestedFix, CritDiagnostic } from './diagnostics';
export { parseCrit, type ParseResult } from './parse';
export { validateFile } from './validate';
export { compileLandscape, type FileReader, type CompiledLandscape, type PlotRequest, type ExportRequest } from './compile';
export { solvabilityDiagnostics } from './solvability';
export { nodeAt, childrenOf, weightReferences, type WeightSymbol, type WeightOccurrence, type WeightReferenceContext } from './navigation';
export { KEYWORD_DOCS } from './reference';
export { DEFAULTS, EXPORT_FORMATS, FUNCTIONS, MAX_PLOT_STEPS, MAX_POINTS, MAX_SOLVE_BYTES, MAX_WIDTH, hessianTargetOf, networkSpecOf, plantedNames } from './semantics';
