#!/usr/bin/python3
"""Turns dgm_bench's JSON and torch_reference.py's lines into the markdown
tables of bench/README.md, with every ratio taken against a reference
measured in the same run."""
import json
import platform
import re
import subprocess
import sys

dgm = json.load(open(sys.argv[1]))
torch = {}
for line in open(sys.argv[2]):
    if line.strip():
        r = json.loads(line)
        torch[r["name"]] = r["ms"]
threads = sys.argv[3]

# With --benchmark_repetitions the median of each benchmark is used; the
# repetitions are interleaved at random so that no benchmark always runs
# first or last (clock and cache effects otherwise bias a ratio).
runs = {}
for b in dgm["benchmarks"]:
    if b.get("run_type") == "aggregate":
        if b.get("aggregate_name") == "median":
            runs[b["run_name"]] = b
    elif b["name"] not in runs:
        runs[b["name"]] = b


def ms(name):
    b = runs[name]
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
    return b["real_time"] * scale


def find(prefix):
    return {k: v for k, v in runs.items() if k.startswith(prefix)}


cpu = "unknown"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
core = re.search(r"openblas core: ([^,\s]+)", open(sys.argv[1].replace(".json", ".txt")).read())
print(f"Machine: {cpu}, {dgm['context'].get('num_cpus')} CPUs, {threads} threads, "
      f"OpenBLAS core {core.group(1) if core else '?'}, date {dgm['context'].get('date', '')[:10]}\n")

print("### matmul, square n, float32 (GFLOP/s)\n")
print("The ratio column comes from BM_matmul_dgm_vs_cblas, which alternates cblas_sgemm and dgm::matmul on the")
print("same buffers within each iteration; the other columns are separate runs of each.\n")
print("| n | naive | blocked | cblas_sgemm | dgm::matmul | paired: cblas | paired: dgm | dgm / cblas (paired) |")
print("|---|---|---|---|---|---|---|---|")
for n in (128, 256, 512, 1024, 2048):
    def g(kind):
        name = f"BM_matmul_{kind}/{n}/real_time"
        return runs[name]["GFLOP/s"] / 1e9 if name in runs else None
    vals = {k: g(k) for k in ("naive", "blocked", "cblas_sgemm", "dgm")}
    fmt = lambda v: f"{v:.1f}" if v else "-"
    paired = runs.get(f"BM_matmul_dgm_vs_cblas/{n}/min_time:1.000/real_time", {})
    pc, pd, ratio = paired.get("cblas_GFLOPs"), paired.get("dgm_GFLOPs"), paired.get("dgm_over_cblas")
    print(f"| {n} | {fmt(vals['naive'])} | {fmt(vals['blocked'])} | {fmt(vals['cblas_sgemm'])} | {fmt(vals['dgm'])} | "
          f"{fmt(pc)} | {fmt(pd)} | {ratio:.3f} |" if ratio else f"| {n} | - | - | - | - | - | - | - |")

print("\n### elementwise on 16M float32 (GB/s of bytes read + written; ratio = op / memcpy)\n")
print("| op | GB/s | / memcpy |")
print("|---|---|---|")
mem = runs.get("BM_memcpy/real_time", {}).get("bytes_per_second")
for op in ("memcpy", "add", "mul", "exp"):
    b = runs.get(f"BM_{op}/real_time")
    if b:
        print(f"| {op} | {b['bytes_per_second'] / 1e9:.2f} | {b['bytes_per_second'] / mem:.2f} |")

print(f"\n### conv2d, batch 64, 64->64 channels, 28x28, same padding (ms; PyTorch {threads} threads, same run)\n")
print("| kernel | pass | dgm ms | PyTorch ms | dgm / PyTorch |")
print("|---|---|---|---|---|")
for k in (7, 3):
    for kind, tname in (("forward", "forward"), ("forward_backward", "forward_backward")):
        name = f"BM_conv2d_{kind}/{k}/min_time:2.000/real_time"
        if name not in runs:
            continue
        d, t = ms(name), torch.get(f"torch_conv2d_k{k}_{tname}")
        print(f"| {k}x{k} | {kind.replace('_', '+')} | {d:.1f} | {t:.1f} | {d / t:.2f} |")

print(f"\n### conv2d on the homework 5 UNet's layers, batch 32, C->C, 3x3, forward+backward (ms; same run)\n")
print("| layer | dgm ms | PyTorch ms | dgm / PyTorch |")
print("|---|---|---|---|")
for c, h in ((32, 32), (64, 16)):
    name = f"BM_conv2d_unet_forward_backward/{c}/{h}/min_time:1.000/real_time"
    t = torch.get(f"torch_conv2d_unet_c{c}_h{h}_forward_backward")
    if name in runs and t:
        print(f"| {c} channels, {h}x{h} | {ms(name):.1f} | {t:.1f} | {ms(name) / t:.2f} |")

print("\n### per-op overhead (us)\n")
print("| case | dgm us | PyTorch us | target |")
print("|---|---|---|---|")
rows = [("add (1,16)+(1,16)", "BM_overhead_add_1x16", "torch_add_1x16", "<= 1 us"),
        ("Linear(16,16) fwd+bwd, batch 1", "BM_overhead_linear16_forward_backward",
         "torch_linear16_forward_backward", "<= 10 us")]
for label, dname, tname, target in rows:
    if dname in runs:
        t = torch.get(tname)
        print(f"| {label} | {ms(dname) * 1e3:.2f} | {t * 1e3:.2f} | {target} |")

print("\n### exact assignment, B x B squared distances of 784-D points (ms; OT-CFM's pairing per step)\n")
print("| B | dgm ms | SciPy ms | dgm / SciPy |")
print("|---|---|---|---|")
for b in (64, 128, 256):
    name = f"BM_linear_sum_assignment/{b}/real_time"
    s = torch.get(f"scipy_linear_sum_assignment_{b}")
    if name in runs and s:
        print(f"| {b} | {ms(name):.2f} | {s:.2f} | {ms(name) / s:.2f} |")

print(f"\n### attention, float32: composite (holds the scores) vs fused (ms; peak MB from dgm's allocator, inputs "
      f"included; PyTorch 1.13's composite, {threads} threads, same run)\n")
print("| size | pass | composite ms | fused ms | PyTorch ms | fused / PyTorch | composite MB | fused MB |")
print("|---|---|---|---|---|---|---|---|")
sizes = (("ImageGPT 256x784x784, d 16, causal", 0, "imagegpt"), ("ImageGPT, its (L, L) float mask", 1, "imagegpt"),
         ("UNet 32x256x256, d 64", 2, "unet"))
for label, arg, tname in sizes:
    for kind in ("forward", "forward_backward"):
        c, f = (runs.get(f"BM_attention_{path}_{kind}/size:{arg}/min_time:2.000/real_time")
                for path in ("composite", "fused"))
        if not c or not f:
            continue
        cm, fm = (ms(f"BM_attention_{path}_{kind}/size:{arg}/min_time:2.000/real_time")
                  for path in ("composite", "fused"))
        t = torch.get(f"torch_attention_{tname}_{kind}")
        tcol = f"{t:.1f} | {fm / t:.2f}" if t else "- | -"
        print(f"| {label} | {kind.replace('_', '+')} | {cm:.1f} | {fm:.1f} | {tcol} | {c['peak_MB']:.0f} | "
              f"{f['peak_MB']:.0f} |")
