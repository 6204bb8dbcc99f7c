"""NumPy reference of Crit's whole planting solve, by the same method as the engine, for the bench's
networks (tanh MLP d-h-1 with biases, K planted points, targets 'any'):
  C = [J_1ᵀ; …; J_Kᵀ], d = [J_kᵀ ŷ_k];  thin SVD of C (dgesdd), rank at σ_max·max(shape)·ε;
  y = y0 + V_r Σ_r⁻¹ U_rᵀ (d − C y0);  per point: ||Jᵀr||, the loss, the dense loss Hessian
  (2/m)(JᵀJ − Σ_i r_i ∇²ŷ_i), r = y − ŷ, and its eigenvalues (dsyevd, values only).
Parameter order as the engine's: W1 (h×d, row-major), b1, W2 (1×h), b2.
Usage: solve_reference.py <bench dir> <case id> <d> <h> <m> <K> <repeats>; prints JSON, writes
<case id>.numpy.f64 = [labels y, then every point's eigenvalues]."""
import json
import os
import sys
import time

import numpy as np

bench_dir, case_id = sys.argv[1], sys.argv[2]
d, h, m, K, repeats = (int(v) for v in sys.argv[3:8])
N = h * (d + 2) + 1
X = np.fromfile(os.path.join(bench_dir, f"{case_id}.X.f64")).reshape(m, d)
y0 = np.fromfile(os.path.join(bench_dir, f"{case_id}.Y0.f64"))
thetas = np.fromfile(os.path.join(bench_dir, f"{case_id}.thetas.f64")).reshape(K, N)
Xt = np.hstack([X, np.ones((m, 1))])  # augmented inputs [x, 1]


def unpack(theta):
    W1 = theta[: h * d].reshape(h, d)
    b1 = theta[h * d : h * d + h]
    w2 = theta[h * d + h : h * d + 2 * h]
    return W1, b1, w2, theta[-1]


def forward_and_jacobian(theta):
    W1, b1, w2, b2 = unpack(theta)
    a = np.tanh(X @ W1.T + b1)
    s1 = 1 - a * a
    yhat = a @ w2 + b2
    g = s1 * w2  # ∂ŷ/∂z, m × h
    J = np.empty((m, N))
    J[:, : h * d] = (g[:, :, None] * X[:, None, :]).reshape(m, h * d)
    J[:, h * d : h * d + h] = g
    J[:, h * d + h : h * d + 2 * h] = a
    J[:, -1] = 1
    return yhat, J, a, s1, w2


# Row/column of W̃1[j, k] (k = d is the bias) in θ.
tilde_index = np.array([[j * d + k if k < d else h * d + j for k in range(d + 1)] for j in range(h)])


def loss_hessian(J, r, a, s1, w2):
    S = np.zeros((N, N))  # Σ_i ρ_i ∇²ŷ_i with ρ = r
    s2 = -2 * a * s1  # tanh''
    blocks = np.einsum("ij,ik,il->jkl", r[:, None] * s2 * w2, Xt, Xt, optimize=True)  # unit j: Σ ρ w2_j f'' x̃ x̃ᵀ
    cross = np.einsum("ij,ik->jk", r[:, None] * s1, Xt, optimize=True)  # ∂²ŷ/∂W̃1[j,:]∂w2_j
    for j in range(h):
        idx = tilde_index[j]
        S[np.ix_(idx, idx)] = blocks[j]
        S[idx, h * d + h + j] = cross[j]
        S[h * d + h + j, idx] = cross[j]
    return (2 / m) * (J.T @ J - S)


def solve():
    evaluations = [forward_and_jacobian(theta) for theta in thetas]
    C = np.vstack([J.T for _, J, *_ in evaluations])
    rhs = np.concatenate([J.T @ yhat for yhat, J, *_ in evaluations])
    U, s, Vt = np.linalg.svd(C, full_matrices=False)
    rank = int(np.sum(s > s[0] * max(C.shape) * np.finfo(float).eps))
    y = y0 + Vt[:rank].T @ ((U[:, :rank].T @ (rhs - C @ y0)) / s[:rank])
    certificates = []
    for yhat, J, a, s1, w2 in evaluations:
        r = y - yhat
        gradient = J.T @ r
        eig = np.linalg.eigvalsh(loss_hessian(J, r, a, s1, w2))
        certificates.append(
            {"relativeGradientNorm": float(np.linalg.norm(gradient) / (np.linalg.norm(J) * np.linalg.norm(r))),
             "loss": float(r @ r / m), "eig": eig})
    return y, rank, certificates


solve()  # untimed warm-up, as the TypeScript side does one
seconds = []
for _ in range(repeats):
    start = time.perf_counter()
    y, rank, certificates = solve()
    seconds.append(time.perf_counter() - start)
np.concatenate([y] + [c["eig"] for c in certificates]).tofile(os.path.join(bench_dir, f"{case_id}.numpy.f64"))
print(json.dumps({"seconds": sorted(seconds)[len(seconds) // 2], "rank": rank,
                  "relativeGradientNorms": [c["relativeGradientNorm"] for c in certificates]}))
