#!/usr/bin/python3
"""PyTorch CPU reference timings for the dgm benchmark table, measured in the
same run as dgm_bench (bench/run). Prints JSON lines: {"name", "ms"}.

Run with Debian's interpreter (/usr/bin/python3), which has python3-torch.
"""
import json
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)


def timeit(fn, min_time=1.0, warmup=2):
    for _ in range(warmup):
        fn()
    n, start = 0, time.perf_counter()
    times = []
    while time.perf_counter() - start < min_time or n < 3:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        n += 1
    times.sort()
    return times[len(times) // 2] * 1e3  # median, ms


def report(name, ms):
    print(json.dumps({"name": name, "ms": ms}), flush=True)


# PixelCNN layer: batch 64, 64 -> 64 channels, 28x28.
for k in (7, 3):
    x = torch.randn(64, 64, 28, 28)
    conv = torch.nn.Conv2d(64, 64, k, padding=k // 2)
    with torch.no_grad():
        report(f"torch_conv2d_k{k}_forward", timeit(lambda: conv(x)))
    xg = x.clone().requires_grad_()

    def fwd_bwd():
        conv.zero_grad(set_to_none=True)
        xg.grad = None
        conv(xg).sum().backward()

    report(f"torch_conv2d_k{k}_forward_backward", timeit(fwd_bwd))

# UNet layers of ddpm-mnist-cfg's quick preset: batch 32, C -> C channels, kernel 3, at H x H.
for c, h in ((32, 32), (64, 16)):
    conv = torch.nn.Conv2d(c, c, 3, padding=1)
    xg = torch.randn(32, c, h, h).requires_grad_()

    def fwd_bwd():
        conv.zero_grad(set_to_none=True)
        xg.grad = None
        conv(xg).sum().backward()

    report(f"torch_conv2d_unet_c{c}_h{h}_forward_backward", timeit(fwd_bwd))

# Per-op overhead.
a, b = torch.ones(1, 16), torch.ones(1, 16)
n = 200000
t0 = time.perf_counter()
for _ in range(n):
    a + b
report("torch_add_1x16", (time.perf_counter() - t0) / n * 1e3)

lin = torch.nn.Linear(16, 16)
xl = torch.randn(1, 16)


def lin_step():
    lin.zero_grad(set_to_none=True)
    lin(xl).sum().backward()


n = 20000
for _ in range(100):
    lin_step()
t0 = time.perf_counter()
for _ in range(n):
    lin_step()
report("torch_linear16_forward_backward", (time.perf_counter() - t0) / n * 1e3)

# Attention, float32: PyTorch 1.13 has no fused scaled_dot_product_attention, so its best is what its
# MultiheadAttention runs: baddbmm(mask, q * scale, k^T) (bmm without a mask), softmax, bmm.
# Sizes as bench/bench_attention.cpp: ImageGPT (256 heads, L = S = 784, d = 16, causal float mask), UNet.
def attention(q, k, v, mask):
    q = q * q.shape[-1] ** -0.5
    s = torch.bmm(q, k.transpose(1, 2)) if mask is None else torch.baddbmm(mask, q, k.transpose(1, 2))
    return torch.bmm(torch.softmax(s, -1), v)


for name, (bh, L, d, causal) in (("imagegpt", (256, 784, 16, True)), ("unet", (32, 256, 64, False))):
    q, k, v, g = (torch.randn(bh, L, d) for _ in range(4))
    mask = torch.full((L, L), float("-inf")).triu(1) if causal else None
    with torch.no_grad():
        report(f"torch_attention_{name}_forward", timeit(lambda: attention(q, k, v, mask)))
    qg, kg, vg = (t.clone().requires_grad_() for t in (q, k, v))
    report(f"torch_attention_{name}_forward_backward",
           timeit(lambda: torch.autograd.grad(attention(qg, kg, vg, mask), (qg, kg, vg), g)))

# The exact assignment (OT-CFM's mini-batch pairing), SciPy's solver on squared distances of 784-D points.
try:
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    rng = np.random.default_rng(0)
    for b in (64, 128, 256):
        x0, x1 = rng.standard_normal((b, 784)), rng.random((b, 784))
        costs = ((x0[:, None, :] - x1[None, :, :]) ** 2).sum(axis=2)
        report(f"scipy_linear_sum_assignment_{b}", timeit(lambda: linear_sum_assignment(costs)))
except ImportError:
    pass
