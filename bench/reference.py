"""NumPy reference for `npm run bench`: the same operations, by the same LAPACK methods, on the
same matrices (raw float64 files written by bench/run.ts). Runs as a worker so the TypeScript side
can interleave its runs with NumPy's (fairer on a shared, loaded machine): each line on stdin is a
case id; the case runs once, its answer goes to .bench/<id>.numpy.f64 and the seconds to stdout."""
import json
import os
import sys
import time

import numpy as np

bench_dir = sys.argv[1]
with open(os.path.join(bench_dir, "manifest.json")) as f:
    manifest = json.load(f)
cases = {case["id"]: case for case in manifest["cases"]}


def load(name, rows, cols):
    return np.fromfile(os.path.join(bench_dir, name), dtype=np.float64).reshape(rows, cols)


def prepare(case):
    op = case["op"]
    A = load(case["a"], case["rows"], case["cols"])
    if op == "svd":
        return lambda: np.linalg.svd(A, full_matrices=False)[1]  # dgesdd, thin, like the native path
    if op == "lstsq":
        # min ||x|| s.t. C x = r: numpy.linalg.lstsq is dgelsd, like the native path.
        B = load(case["b"], case["rows"], 1)
        return lambda: np.linalg.lstsq(A, B, rcond=case["rcond"])[0]
    if op == "symEig":
        return lambda: np.linalg.eigh(A)[0]  # dsyevd with vectors, like the native path
    if op == "gemm":
        # A separate copy keeps NumPy on dgemm: `A @ A.T` would take the half-cost dsyrk shortcut.
        B = A.copy()
        return lambda: A @ B.T
    raise ValueError(op)


prepared = {}
print(json.dumps({"numpy": np.__version__}), flush=True)
for line in sys.stdin:
    case_id = line.strip()
    if not case_id:
        continue
    fn = prepared.setdefault(case_id, prepare(cases[case_id]))
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    np.ascontiguousarray(result, dtype=np.float64).tofile(os.path.join(bench_dir, case_id + ".numpy.f64"))
    print(json.dumps({"id": case_id, "seconds": seconds}), flush=True)
