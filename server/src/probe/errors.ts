/** A probe that cannot run as specified (no eigenvector of the asked kind, unknown centre ...). */
export class ProbeError extends Error {
  override name = 'ProbeError';
}
