/** .crit specs shared by the CLI and compiler tests. */

/** A small spec: two planted points in a 3-8-1 tanh net, A a saddle of index 2 (reached for this seed). */
export const TWO_POINTS = `// Two planted critical points
landscape two_points {
  seed 7
  network {
    input 3
    layer 8 tanh
    output 1 linear
    bias off
  }
  data {
    points 240
    inputs normal(0, 2)
    labels teacher(A) + noise(0.1)
  }
  weights A = normal(0, 1)
  weights B = normal(0, 1)
  critical A { hessian saddle(2) }
  critical B
  plot interpolate A -> B from -0.5 to 1.5 steps 41
  export "out/two_points" as npz, csv
}
`;

/** Two minima at random points: solvable as critical points, but the minima are not reached. */
export const TWO_MINIMA = `landscape hard {
  seed 3
  network {
    input 2
    layer 6 tanh
    output 1 linear
    bias off
  }
  data {
    points 200
    inputs normal(0, 1)
    labels zeros
  }
  weights A = normal(0, 1)
  weights B = normal(0, 1)
  critical A { hessian minimum }
  critical B { hessian minimum }
}
`;

/** Two points whose output-bias gradient rows coincide: the constraints are inconsistent (solvability/output-bias-conflict). */
export const OUTPUT_BIAS_CONFLICT = `landscape output_bias_conflict {
  seed 2
  network { input 3; layer 6 tanh; output 1 linear; bias on }
  data { points 300; inputs normal(0, 2); labels teacher(A) }
  weights A = normal(0, 1)
  weights B = normal(0, 1)
  critical A
  critical B
}`;
