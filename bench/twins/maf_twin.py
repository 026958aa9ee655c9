"""PyTorch twin of dgm's MAF (models/flows/autoregressive_flow.h), written from the math:

  MADE (Germain et al. 2015): input degrees 1..D; hidden layer degrees cycle through
  lo, lo+1, ..., D-1 with lo = min(min of the previous layer's degrees, D-1); hidden unit k sees
  unit j iff m(k) >= m(j); output o (mu for o < D, log sigma for o >= D, of dimension o mod D)
  sees hidden unit k iff deg(o mod D) > m(k). ReLU between masked linear layers.
  MAF layer: (mu, raw) = MADE(x), a = B tanh(raw / B), z = (x - mu) exp(-a), log-det = -sum a.
  Stack: layer 1, reverse the dimensions, layer 2, ..., layer K.
  log p(x) = sum_j log N(z_j; 0, 1) + sum of log-dets.
  Images: x = (pixels + noise) / 256; with alpha > 0, y = logit(alpha + (1 - 2 alpha) x),
  log-det sum_j log((1 - 2 alpha) / (s_j (1 - s_j))).
  loss = mean over the batch of -log p(x).
"""
import math

import torch
from torch import nn


class MaskedLinear(nn.Linear):
    def __init__(self, mask):
        super().__init__(mask.shape[1], mask.shape[0])
        self.register_buffer("mask", mask)

    def forward(self, x):
        return nn.functional.linear(x, self.weight * self.mask, self.bias)


def made_masks(dim, hidden):
    degrees = [list(range(1, dim + 1))]
    for h in hidden:
        lo = min(min(degrees[-1]), dim - 1)
        span = dim - lo
        degrees.append([lo + (k % span if span > 0 else 0) for k in range(h)])
    masks = []
    for prev, cur in zip(degrees[:-1], degrees[1:]):
        masks.append(torch.tensor([[1.0 if mk >= mj else 0.0 for mj in prev] for mk in cur]))
    out_degrees = list(range(1, dim + 1)) * 2
    masks.append(torch.tensor([[1.0 if d > mk else 0.0 for mk in degrees[-1]] for d in out_degrees]))
    return masks


class MADE(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.layers = nn.ModuleList(MaskedLinear(m) for m in made_masks(dim, hidden))

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)


class MAFLayer(nn.Module):
    def __init__(self, dim, hidden, bound):
        super().__init__()
        self.dim, self.bound = dim, bound
        self.made = MADE(dim, hidden)

    def forward(self, x):
        out = self.made(x)
        mu, raw = out[:, : self.dim], out[:, self.dim :]
        log_sigma = self.bound * torch.tanh(raw / self.bound)
        return (x - mu) * torch.exp(-log_sigma), -log_sigma.sum(dim=1)


class MAF(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        dim = config["dim"]
        self.flows = nn.ModuleList(
            MAFLayer(dim, config["hidden"], config["log_sigma_bound"]) for _ in range(config["layers"])
        )

    def log_prob(self, x):
        alpha = self.config["logit_alpha"]
        log_det = torch.zeros(x.shape[0])
        if alpha > 0:
            s = alpha + (1 - 2 * alpha) * x
            x = torch.log(s) - torch.log1p(-s)
            log_det = log_det + (math.log(1 - 2 * alpha) - torch.log(s) - torch.log1p(-s)).sum(dim=1)
        for k, flow in enumerate(self.flows):
            if k > 0:
                x = torch.flip(x, dims=[1])
            x, ld = flow(x)
            log_det = log_det + ld
        base = -0.5 * (x**2).sum(dim=1) - 0.5 * x.shape[1] * math.log(2 * math.pi)
        return base + log_det


def build(config, inputs):
    return MAF(config)


def loss(module, config, inputs):
    if "pixels" in inputs:
        x = ((inputs["pixels"] + inputs["noise"]) / 256).reshape(inputs["pixels"].shape[0], -1)
    else:
        x = inputs["x"]
    return -module.log_prob(x).mean()
