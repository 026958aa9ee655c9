#!/usr/bin/python3
"""Compares dgm's loss and parameter gradients with PyTorch twins (bench/twins/twin_cases.h).

  check_twins.py DIR [CASE ...]

For every DIR/<case>.safetensors written by dgm_twin_export: builds the twin named in the
metadata, loads param.<name> into the twin's parameters by name (the names must match both
ways), checks the twin's own buffers (e.g. MADE masks it built itself) equal buffer.<name>
exactly, computes the loss on input.<name> in float32 and backpropagates. Criterion, per
tensor (the loss and every grad.<name>), with a the dgm value and b PyTorch's:

    max_i |a_i - b_i| <= 1e-4 * max_i |b_i|      (relative to the tensor's largest magnitude)

The worst element of each tensor is printed. Exits 1 on any mismatch, 2 on bad usage.

A gradient that is zero in exact arithmetic (a conv bias right before a training-mode BatchNorm, which removes
the mean the bias shifts) is rounding noise in both, so a relative criterion means nothing for it: the parameters
a case names in its config's "zero_grads" (regular expressions over the names) must instead have
max_i |a_i - b_i| <= 1e-4 * the largest |b| over every gradient of the case.
"""
import importlib
import json
import os
import re
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors_reader  # noqa: E402

# The twins by name: bench/twins/<name>_twin.py. A homework's twin is withheld from its student trees (it is a
# solution in PyTorch; course/tasks.json "withheld"); there, and only there (course/released.json exists), its
# cases are skipped, saying so.
TWINS = ("maf", "realnvp", "resnet_vae", "vqvae", "wgan_gp", "ddpm2d", "unet_ddpm", "flow_matching")
STUDENT_TREE = os.path.exists(os.path.join(HERE, "..", "..", "course", "released.json"))
RTOL = 1e-4


def compare(label, a, b):
    """True when max|a - b| <= RTOL * max|b|; prints the worst element."""
    a, b = np.asarray(a, dtype=np.float64).reshape(-1), np.asarray(b, dtype=np.float64).reshape(-1)
    if a.shape != b.shape:
        print(f"  {label}: FAIL shapes differ: dgm {a.shape} vs torch {b.shape}")
        return False
    diff = np.abs(a - b)
    scale = np.abs(b).max() if b.size else 0.0
    i = int(diff.argmax()) if diff.size else 0
    rel = diff[i] / scale if scale > 0 else (0.0 if diff.size == 0 or diff[i] == 0 else float("inf"))
    ok = bool(np.all(np.isfinite(a))) and bool(diff.size == 0 or diff[i] <= RTOL * scale)
    worst = f"worst [{i}] dgm {a[i]:.8g} torch {b[i]:.8g}" if diff.size else "empty"
    print(f"  {label}: {'ok  ' if ok else 'FAIL'} max|diff|/max|torch| = {rel:.3g} ({worst})")
    return ok


def check_case(path):
    tensors, metadata = safetensors_reader.load(path)
    name = metadata.get("twin")
    if name not in TWINS:
        print(f"{path}: FAIL unknown twin {name!r} (known: {sorted(TWINS)})")
        return False, 0.0
    if not os.path.exists(os.path.join(HERE, f"{name}_twin.py")):
        if STUDENT_TREE:
            print(f"{os.path.basename(path)}: SKIPPED: bench/twins/{name}_twin.py is withheld from a student tree")
            return None, 0.0
        print(f"{path}: FAIL bench/twins/{name}_twin.py is missing")
        return False, 0.0
    twin = importlib.import_module(f"{name}_twin")
    config = json.loads(metadata["config"])
    inputs = {k[len("input.") :]: torch.from_numpy(v).float() for k, v in tensors.items() if k.startswith("input.")}
    module = twin.build(config, inputs)
    ok = True
    params = dict(module.named_parameters())
    exported = {k[len("param.") :]: v for k, v in tensors.items() if k.startswith("param.")}
    if set(params) != set(exported):
        print(f"{path}: FAIL parameter names differ; only in dgm: {sorted(set(exported) - set(params))}, "
              f"only in the twin: {sorted(set(params) - set(exported))}")
        return False, 0.0
    with torch.no_grad():
        for name, p in params.items():
            if tuple(p.shape) != exported[name].shape:
                print(f"{path}: FAIL {name}: dgm shape {exported[name].shape}, twin {tuple(p.shape)}")
                return False, 0.0
            p.copy_(torch.from_numpy(exported[name]))
    own_buffers = dict(module.named_buffers())
    exported_buffers = {k[len("buffer.") :]: v for k, v in tensors.items() if k.startswith("buffer.")}
    for name, value in exported_buffers.items():
        if name not in own_buffers or not np.array_equal(own_buffers[name].numpy(), value):
            print(f"  buffer {name}: FAIL the twin's own differs from dgm's")
            ok = False
    loss = twin.loss(module, config, inputs)
    loss.backward()
    print(f"{os.path.basename(path)} (twin {metadata['twin']}): loss dgm {float(tensors['loss']):.8g} "
          f"torch {loss.item():.8g}")
    if exported_buffers and ok:
        print(f"  buffers: all {len(exported_buffers)} equal the twin's own (exactly)")
    worst = 0.0
    ok &= compare("loss", tensors["loss"], loss.detach().numpy())
    zero_grads = [re.compile(z) for z in config.get("zero_grads", [])]
    largest = max(float(p.grad.abs().max()) for p in params.values() if p.grad is not None)
    for name, p in params.items():
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        b = g.numpy().astype(np.float64)
        a = tensors["grad." + name].astype(np.float64)
        if any(z.fullmatch(name) for z in zero_grads):
            diff = float(np.abs(a - b).max())
            zero_ok = diff <= RTOL * largest
            print(f"  grad.{name}: {'ok  ' if zero_ok else 'FAIL'} zero in exact arithmetic: max|diff| = {diff:.3g}"
                  f" = {diff / largest:.3g} of the largest gradient {largest:.3g}")
            ok &= zero_ok
            continue
        ok &= compare("grad." + name, a, b)
        scale = np.abs(b).max()
        if scale > 0:
            worst = max(worst, float(np.abs(a - b).max() / scale))
    print(f"  worst gradient max|diff|/max|torch| = {worst:.3g}: {'ok' if ok else 'MISMATCH'}")
    return ok, worst


def main(argv):
    if len(argv) < 2:
        print("usage: check_twins.py DIR [CASE ...]", file=sys.stderr)
        return 2
    directory, wanted = argv[1], argv[2:]
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    names = wanted or sorted(f[: -len(".safetensors")] for f in os.listdir(directory) if f.endswith(".safetensors"))
    if not names:
        print(f"check_twins: no .safetensors files in {directory}", file=sys.stderr)
        return 2
    failed, skipped = [], []
    for name in names:
        path = os.path.join(directory, name + ".safetensors")
        if not os.path.exists(path):
            print(f"{path}: FAIL missing")
            failed.append(name)
            continue
        ok, _ = check_case(path)
        if ok is None:
            skipped.append(name)
        elif not ok:
            failed.append(name)
    if failed:
        print(f"check_twins: MISMATCH in {len(failed)} of {len(names)} cases: {', '.join(failed)}")
        return 1
    checked = len(names) - len(skipped)
    if checked == 0:
        print("check_twins: no case was checked", file=sys.stderr)
        return 1
    print(f"check_twins: {checked} cases agree with PyTorch (per tensor max|diff| <= {RTOL:g} * max|torch|)"
          + (f"; skipped (withheld twins): {', '.join(skipped)}" if skipped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
