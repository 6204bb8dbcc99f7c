#!/usr/bin/env python3
"""Independent check of a Crit export folder with NumPy and PyTorch (float64), no Crit code.

Loads dataset.npz, weights/NAME.npz and manifest.json, rebuilds the MLP from the manifest's network
(W_l shaped (out, in) as nn.Linear.weight), and recomputes at every planted point:
  - the MSE loss L = (1/m) sum_i ||y_i - yhat_i||^2                      (relative 1e-9 of the manifest)
  - the gradient norm ||grad L|| by autograd                            (agrees with the manifest within
    1e-6 relative + 1e-10 * (2/m)||J||_F ||r||: both are rounding-level at a critical point)
  - the scale-free ||J^T r|| / (||J||_F ||r||)                           (<= 1e-10 when the manifest says critical)
  - with --hessian (N <= 600), the Hessian's signature at the manifest's zero tolerance (exactly equal).
Takes one or more folders. Prints one line per point; --json prints a JSON report. Exit status 0 when every check passes, 1 otherwise.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

CRITICAL_RELATIVE_GRADIENT = 1e-10
RELATIVE = 1e-6
LOSS_RELATIVE = 1e-9
HESSIAN_LIMIT = 600

# The engine's activations (server/src/engine/activations.ts), PyTorch's conventions and defaults.
ACTIVATIONS = {
    "linear": lambda z: z,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, negative_slope=0.01),
    # F.softplus switches to z above its threshold (20), an error of e^-20; logaddexp is exact.
    "softplus": lambda z: torch.logaddexp(z, torch.zeros_like(z)),
    "elu": lambda z: F.elu(z, alpha=1.0),
    "gelu": lambda z: F.gelu(z, approximate="none"),
    "sin": torch.sin,
    "square": lambda z: z * z,
}


def number(value):
    """The manifest writes non-finite numbers as the strings Infinity, -Infinity, NaN."""
    return float(value)


def load_params(path, network):
    arrays = np.load(path)
    sizes, bias = network["sizes"], network["bias"]
    params = []
    for layer in range(len(sizes) - 1):
        w = arrays[f"W{layer}"]
        if w.shape != (sizes[layer + 1], sizes[layer]):
            raise ValueError(f"{path}: W{layer} has shape {w.shape}, expected {(sizes[layer + 1], sizes[layer])}")
        params.append(torch.tensor(w, dtype=torch.float64))
        if bias:
            params.append(torch.tensor(arrays[f"b{layer}"], dtype=torch.float64))
        elif f"b{layer}" in arrays.files:
            raise ValueError(f"{path}: b{layer} present although the network has no biases")
    return params


def forward(params, X, network):
    h = X
    per_layer = 2 if network["bias"] else 1
    for layer, name in enumerate(network["activations"]):
        W = params[per_layer * layer]
        z = h @ W.T
        if network["bias"]:
            z = z + params[per_layer * layer + 1]
        h = ACTIVATIONS[name](z)
    return h


def flat(tensors):
    return torch.cat([t.reshape(-1) for t in tensors])


def check_point(point, folder, network, X, Y, use_hessian):
    params = [p.requires_grad_(True) for p in load_params(os.path.join(folder, point["weights"]), network)]
    m = X.shape[0]
    yhat = forward(params, X, network)
    r = Y - yhat
    loss = (r ** 2).sum() / m
    grad = flat(torch.autograd.grad(loss, params, create_graph=use_hessian))
    grad_norm = grad.detach().norm().item()

    # ||J||_F^2 = sum over outputs j of ||d yhat_j / d theta||^2, via the Jacobian of the flat outputs.
    def outputs(*ps):
        return forward(list(ps), X, network).reshape(-1)

    J = torch.autograd.functional.jacobian(outputs, tuple(p.detach() for p in params))
    J = torch.cat([j.reshape(j.shape[0], -1) for j in J], dim=1)
    r_flat = r.detach().reshape(-1)
    jt_r = (J.T @ r_flat).norm().item()
    scale = J.norm().item() * r_flat.norm().item()
    relative = jt_r / scale if scale > 0 else 0.0

    problems = []
    claimed_loss = number(point["loss"])
    if abs(loss.item() - claimed_loss) > LOSS_RELATIVE * max(abs(claimed_loss), abs(loss.item())):
        problems.append(f"loss {loss.item():.17g} vs manifest {claimed_loss:.17g}")
    claimed_grad = number(point["gradientNorm"])
    tolerance = RELATIVE * max(abs(claimed_grad), grad_norm) + CRITICAL_RELATIVE_GRADIENT * (2 / m) * scale
    if abs(grad_norm - claimed_grad) > tolerance:
        problems.append(f"gradient norm {grad_norm:.3e} vs manifest {claimed_grad:.3e} (tolerance {tolerance:.1e})")
    if point.get("critical") and relative > CRITICAL_RELATIVE_GRADIENT:
        problems.append(f"manifest says critical but ||J^T r|| / (||J||_F ||r||) = {relative:.3e}")

    result = {
        "name": point["name"],
        "loss": loss.item(),
        "gradientNorm": grad_norm,
        "relativeGradientNorm": relative,
        "manifestGradientNorm": claimed_grad,
        "manifestRelativeGradientNorm": number(point["relativeGradientNorm"]),
    }
    n = grad.numel()
    if use_hessian and n <= HESSIAN_LIMIT:
        rows = [torch.autograd.grad(grad[k], params, retain_graph=True) for k in range(n)]
        H = torch.stack([flat(row) for row in rows]).detach()
        eig = torch.linalg.eigvalsh((H + H.T) / 2)
        tol = number(point["zeroTolerance"])
        signature = {
            "positive": int((eig > tol).sum()),
            "negative": int((eig < -tol).sum()),
            "zero": int((eig.abs() <= tol).sum()),
        }
        result["signature"] = signature
        if signature != {k: point["signature"][k] for k in ("positive", "negative", "zero")}:
            problems.append(f"signature {signature} vs manifest {point['signature']}")
    result["problems"] = problems
    return result


def check_folder(folder, use_hessian):
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    network = manifest["network"]
    unknown = [a for a in network["activations"] if a not in ACTIVATIONS]
    if unknown:
        raise ValueError(f"{folder}: unknown activations {unknown}")
    data = np.load(os.path.join(folder, manifest["data"]["file"]))
    X = torch.tensor(data["X"], dtype=torch.float64)
    Y = torch.tensor(data["Y"], dtype=torch.float64)
    points = [check_point(p, folder, network, X, Y, use_hessian) for p in manifest["planted"]]
    return {"folder": folder, "ok": all(not r["problems"] for r in points), "points": points}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", metavar="FOLDER")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--hessian", action="store_true", help=f"also check signatures (N <= {HESSIAN_LIMIT})")
    args = parser.parse_args()

    folders = [check_folder(folder, args.hessian) for folder in args.folders]
    ok = all(f["ok"] for f in folders)
    if args.json:
        print(json.dumps({"ok": ok, "torch": torch.__version__, "folders": folders}, indent=2))
    else:
        for f in folders:
            print(f["folder"])
            for r in f["points"]:
                status = "ok" if not r["problems"] else "MISMATCH " + "; ".join(r["problems"])
                sig = r.get("signature")
                sig_text = f" signature (+{sig['positive']}, -{sig['negative']}, 0:{sig['zero']})" if sig else ""
                print(f"  {r['name']}: loss {r['loss']:.6e} |grad| {r['gradientNorm']:.3e} "
                      f"relative {r['relativeGradientNorm']:.3e}{sig_text}: {status}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
