#!/usr/bin/python3
"""Why a short ddpm-mnist run draws gray and white fields: the image mean (DC) of a DDIM sample is decided by the
mean of its starting noise x_T, because the UNet's output cannot follow the mean of its input.

  /usr/bin/python3 bench/ddpm_dc_diagnosis.py RUN [n=256] [steps=50] [seed=0] [guidance=0] [tail_groups=G]

RUN is a ddpm-mnist or ddpm-mnist-cfg run folder. Its EMA weights go into the PyTorch twin (bench/twins/
unet_ddpm_twin.py; sizes read from the checkpoint) and n samples are drawn by DDIM (eta 0, x0 clipped to [-1, 1],
as dgm's sampler) from x_T ~ N(0, I) of torch's generator.
Printed: how the mean of the UNet's eps follows a constant added to x_t; the correlation between mean(x_T) and
the mean of the sample; the share of samples with a mean above 0.3 in [0, 1] (MNIST's images average 0.13 and 0.07%
of them pass 0.3), in all and in each quarter of mean(x_T); the mean of x0^ along the trajectory for the lowest
and the highest quarter.

The mechanism: at high t the optimal eps is (x_t - sqrt(abar) E[x0 | x_t]) / sqrt(1 - abar), so its mean must follow
the input's with slope about 1. The UNet ends in GroupNorm(32, hidden) -> Swish -> Conv; with hidden 32 every group
is one channel and the norm removes each channel's mean, so the output's mean hardly depends on the input's
(measured at t = 979: slope 0.01 after the quick run's 1250 steps, 0.12 after 7500 more (a 4-epoch ddpm-mnist-cfg);
0.18 after 1250 steps in a local experiment with GroupNorm(8) everywhere, 4 channels a group). Then
  mean x0^ = (mean x_t - sqrt(1 - abar) mean eps) / sqrt(abar)
follows mean(x_T) with slope 1 / sqrt(abar) (32 at t = 979), and DDIM keeps it to the end."""
import os
import re
import sys

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "twins"))
import safetensors_reader  # noqa: E402
import unet_ddpm_twin as twin  # noqa: E402

DGM_CHILD_ORDER = {  # dgm's registration order (its parameters() order, which the EMA shadows follow)
    "UNet": ["time_embedding", "cond_embedding", "head", "downblocks", "middleblocks", "upblocks", "tail"],
    "ResBlock": ["block1", "block2", "temb_proj", "cemb_proj", "shortcut", "attn"],
}


def dgm_parameter_order(module, prefix=""):
    names = [prefix + n for n, _ in module.named_parameters(recurse=False)]
    children = dict(module.named_children())
    for k in DGM_CHILD_ORDER.get(type(module).__name__, list(children)):
        if children.get(k) is not None:
            names += dgm_parameter_order(children[k], prefix + k + ".")
    return names


def load_run(run, tail_groups=None):
    """The run's UNet in the PyTorch twin, with its EMA weights (raw weights when it kept no EMA)."""
    tensors, metadata = safetensors_reader.load(os.path.join(run, "checkpoint.safetensors"))
    w = {k[len("model.model."):]: v for k, v in tensors.items() if k.startswith("model.model.")}
    hidden = w["head.weight"].shape[0]
    resblocks = sorted(int(k.split(".")[1]) for k in w if re.fullmatch(r"downblocks\.\d+\.block1\.2\.weight", k))
    mult = [w[f"downblocks.{i}.block1.2.weight"].shape[0] // hidden for i in resblocks]  # num_blocks = 1
    with_attn = [level for level, i in enumerate(resblocks) if f"downblocks.{i}.attn.proj.weight" in w]
    num_labels = w["cond_embedding.embedding.weight"].shape[0] - 1 if "cond_embedding.embedding.weight" in w else 0
    # the tail's group count shows in no weight: the checkpoint's architecture record names it (a run from before
    # the record existed used the course's 32)
    if tail_groups is None:
        found = re.search(r"tail_norm_groups=(\d+)", metadata.get("architecture", ""))
        tail_groups = int(found.group(1)) if found else 32
    # the twin always builds a class embedding; an unconditional run leaves it unused (y = -1 everywhere)
    config = dict(num_timesteps=1000, num_labels=max(num_labels, 1), hidden_channels=hidden, channel_multipliers=mult,
                  num_blocks=1, dropout=0.0, attn_from_level=with_attn[0] if with_attn else len(mult),
                  tail_norm_groups=tail_groups)
    ddpm = twin.ConditionalDDPM(config)
    params = dict(ddpm.model.named_parameters())
    names = [n for n in dgm_parameter_order(ddpm.model) if n in w]
    ema = "ema.shadow.0" in tensors
    for i, n in enumerate(names):
        src = tensors[f"ema.shadow.{i}"] if ema else w[n]
        assert src.shape == tuple(params[n].shape), f"{n}: checkpoint {src.shape}, twin {tuple(params[n].shape)}"
        params[n].data.copy_(torch.from_numpy(src))
    print(f"{run}: hidden {hidden}, multipliers {mult}, attention from level {config['attn_from_level']}, "
          f"{num_labels} labels, tail GroupNorm({tail_groups}, {hidden}), {'EMA' if ema else 'raw'} weights")
    return ddpm.model.eval(), num_labels


def ddim_samples(unet, x, labels, guidance, steps):
    """DDIM (eta 0) from x = x_T on `steps` timesteps from 999 to 0, as dgm's ddim_sample_loop with x0 clipped to
    [-1, 1]; returns x_0 and the mean of x0^ of each sample at each step."""
    abar = twin.alphas_cumprod(1000)
    ts = [int(round(i * 999 / (steps - 1))) for i in range(steps - 1, -1, -1)]
    empty = torch.full((x.size(0),), -1)
    x0_means = []
    with torch.no_grad():
        for i, t in enumerate(ts):
            a, a_s = abar[t], (abar[ts[i + 1]] if i + 1 < len(ts) else 1.0)
            tt = torch.full((x.size(0),), t)
            e = unet(x, tt, labels)
            if guidance > 0:  # eps = g eps(x, y) + (1 - g) eps(x, empty)
                e = guidance * e + (1 - guidance) * unet(x, tt, empty)
            # x0^ = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t), clipped; eps again from the clipped x0^
            x0 = ((x - np.sqrt(1 - a) * e) / np.sqrt(a)).clamp(-1, 1)
            e = (x - np.sqrt(a) * x0) / np.sqrt(1 - a)
            # x_s = sqrt(abar_s) x0^ + sqrt(1 - abar_s) eps
            x = np.sqrt(a_s) * x0 + np.sqrt(1 - a_s) * e
            x0_means.append((t, x0.mean((1, 2, 3)).numpy()))
    return x, x0_means


def mean_slope(unet, t, n=64, c=0.05):
    """d mean(eps) / d c for x_t + c on pure noise, by central differences. The optimal eps at high t is
    (x_t - sqrt(abar) E[x0]) / sqrt(1 - abar), whose mean follows the input's with slope about 1."""
    x, tt, none = torch.randn(n, 1, 32, 32), torch.full((n,), t), torch.full((n,), -1)
    with torch.no_grad():
        return float((unet(x + c, tt, none) - unet(x - c, tt, none)).mean()) / (2 * c)


def main():
    run = sys.argv[1]
    args = dict(a.split("=", 1) for a in sys.argv[2:])
    n, steps, guidance = int(args.get("n", 256)), int(args.get("steps", 50)), float(args.get("guidance", 0))
    torch.manual_seed(int(args.get("seed", 0)))
    unet, num_labels = load_run(run, int(args["tail_groups"]) if "tail_groups" in args else None)
    x_T = torch.randn(n, 1, 32, 32)
    labels = torch.arange(n) % 10 if num_labels and guidance > 0 else torch.full((n,), -1)
    x_0, x0_means = ddim_samples(unet, x_T, labels, guidance, steps)
    print("d mean(eps) / d mean(x_t) (about 1 for the optimal eps): " +
          ", ".join(f"t = {t}: {mean_slope(unet, t):.2f}" for t in (999, 979, 900, 700)))
    dc_T = x_T.mean((1, 2, 3)).numpy()
    image_mean = ((x_0 + 1) / 2).clamp(0, 1).mean((1, 2, 3)).numpy()
    bright = image_mean > 0.3
    print(f"corr(mean x_T, mean sample) = {np.corrcoef(dc_T, image_mean)[0, 1]:.3f}; samples with a mean "
          f"above 0.3: {bright.mean():.2f}")
    quarters = np.array_split(np.argsort(dc_T), 4)
    print("by quarter of mean(x_T), lowest first: " + ", ".join(
        f"[{dc_T[q].min():+.3f}, {dc_T[q].max():+.3f}]: {bright[q].mean():.2f} bright" for q in quarters))
    low, high = quarters[0], quarters[-1]
    for t, m in x0_means[:: max(1, steps // 6)] + [x0_means[-1]]:
        print(f"  t = {t:4d}: mean x0^ {m[low].mean():+.3f} (lowest quarter of mean x_T), "
              f"{m[high].mean():+.3f} (highest)")


if __name__ == "__main__":
    main()
