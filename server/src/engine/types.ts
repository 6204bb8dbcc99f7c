/**
 * Plain data shared by every caller of the engine (language server worker, CLI, tests).
 * No LSP or VS Code types may appear here or anywhere under engine/.
 */

export const ACTIVATIONS = [
  'linear', 'tanh', 'sigmoid', 'relu', 'leaky_relu', 'softplus', 'elu', 'gelu', 'sin', 'square',
] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** A fully connected MLP. sizes = [d_0, d_1, ..., d_{H+1}]; activations[l] is applied after layer l (one per weight matrix). */
export interface NetworkSpec {
  sizes: number[];
  activations: Activation[];
  bias: boolean;
}

/**
 * Flattened parameters θ in the export order: W0 (row-major, shape (out, in) as PyTorch's nn.Linear.weight),
 * then b0 when biases are on, then W1, b1, ...
 */
export type Theta = Float64Array;

/** Inputs X (m × d_x, row-major) and base labels Y0 (m × d_y, row-major). */
export interface DatasetSpec {
  m: number;
  dx: number;
  dy: number;
  X: Float64Array;
  /** Base labels y0: the labels before planting. */
  Y0: Float64Array;
  /** Optional mask over the m·d_y label entries: 1 = held fixed at Y0 exactly, 0 = free to change. */
  fixed?: Uint8Array;
}

export type HessianTarget =
  | { kind: 'any' }
  | { kind: 'minimum'; margin?: number; sharpness?: number }
  | { kind: 'maximum'; margin?: number; sharpness?: number }
  | { kind: 'saddle'; index: number; margin?: number; sharpness?: number };

export interface PlantedPoint {
  name: string;
  theta: Theta;
  target: HessianTarget;
}

/** How to choose among the label vectors that satisfy the gradient constraints. */
export type SolveObjective =
  | { kind: 'closest' } // min ||y - y0||^2
  | { kind: 'min-loss-at'; point: string }; // smallest loss at the named planted point

export interface PlantProblem {
  network: NetworkSpec;
  data: DatasetSpec;
  planted: PlantedPoint[];
  objective: SolveObjective;
  /** Refuse (with a clear error) to build dense matrices above this many bytes. */
  memoryBudgetBytes?: number;
}

/** Cooperative cancellation and progress for long engine operations. */
export interface RunOptions {
  signal?: AbortSignal;
  /** phase: a short human label ("rank", "solve", "hessian A"); fraction in [0, 1]. */
  onProgress?: (phase: string, fraction: number) => void;
}

/** Signature of a symmetric matrix: counts of positive, negative and zero eigenvalues at a tolerance. */
export interface Signature {
  positive: number;
  negative: number;
  zero: number;
}

/** What the engine can say about solvability, before or after solving. */
export interface SolvabilityReport {
  /** Label entries M = m·d_y (free ones only when some are fixed). */
  labelCount: number;
  /** Number of gradient equations K·N. */
  equationCount: number;
  parameterCount: number;
  rank: number;
  rankTolerance: number;
  /** ||(I - C C⁺) d|| / ||d||: 0 when the gradient constraints are consistent. */
  consistencyResidual: number;
  consistent: boolean;
  conditionNumber: number;
  /** Why rank is lost, each cause named (symmetry, output-bias, coincidence). */
  causes: RankLossCause[];
  /**
   * Room for Hessian targets, when some planted point has a target other than 'any': labels that keep
   * every point critical form an affine set of dimension labelCount − rank (null(C)), the only
   * directions signature control can move in. 0 means the labels are unique and every Hessian is
   * fixed by the gradient constraints alone.
   */
  hessianFreedom?: HessianFreedom;
  /** Filled after solving. */
  relativeLabelChange?: number;
  warnings: string[];
}

export interface HessianFreedom {
  /** Planted points with a target other than 'any'. */
  controlledPoints: number;
  /** labelCount − rank: dimension of the null space of C, the label directions free for signature control. */
  freeDirections: number;
  /**
   * Equations full control of every controlled Hessian would need (N(N+1)/2 entries per point, the
   * paper's count): far above freeDirections except for tiny nets, which is why targets are signatures.
   */
  fullControlEquations: number;
}

export type RankLossCause =
  | { kind: 'symmetry'; harmless: true; directions: number; message: string }
  | {
      kind: 'output-bias';
      harmless: false;
      /** Names of the planted points whose output-bias rows coincide. */
      points: [string, string];
      /** Difference of mean predictions over the dataset, per output. */
      meanPredictionGap: number[];
      message: string;
    }
  | { kind: 'coincidence'; harmless: boolean; directions: number; message: string };

/** Per planted point: what was verified after solving. Nothing here is claimed without verification. */
export interface PointCertificate {
  name: string;
  target: HessianTarget;
  gradientNorm: number;
  /** Scale-free ||Jᵀr|| / (||J||_F ||r||). */
  relativeGradientNorm: number;
  loss: number;
  signature: Signature;
  zeroTolerance: number;
  /** Zero eigenvalues forced by continuous symmetries (relu rescaling ...). */
  symmetryZeros: number;
  /**
   * Further zero eigenvalues forced by the data at every critical labels (relu units active on all
   * samples or on none, fewer independent labels than parameters). Targets and the margin are checked
   * apart from symmetryZeros + dataZeros, the count signature control uses. Counted with the dense
   * spectrum for targets other than 'any' (0 for 'any'); absent with Lanczos, which decides no zeros.
   */
  dataZeros?: number;
  minEigenvalue: number;
  maxEigenvalue: number;
  /** Smallest |eigenvalue| apart from the forced zeros (symmetryZeros + dataZeros). */
  margin: number;
  /** Full spectrum when it was computed densely (ascending); extremes only for Lanczos. */
  eigenvalues?: Float64Array;
  spectrumMethod: 'dense' | 'lanczos';
  critical: boolean;
  achieved: boolean;
  /** Why achieved is false, in words. */
  reason?: string;
}

/** A certificate's verified claims without the spectrum and the data-zero count: what an export manifest records. */
export type CertificateSummary = Omit<PointCertificate, 'eigenvalues' | 'dataZeros'>;

export interface SolveResult {
  /** Solved labels, m × d_y row-major. */
  Y: Float64Array;
  report: SolvabilityReport;
  certificates: PointCertificate[];
  /** Linear-algebra backend used. */
  backend: 'native-openblas' | 'pure-ts';
  engineVersion: string;
}
