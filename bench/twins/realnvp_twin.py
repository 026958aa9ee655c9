"""RealNVP's PyTorch twin: homework 2's RealNVP written with torch.nn from the
course's description (COURSE.md section 1.2 task 2), independently of dgm's C++.
Parameter names follow dgm's state dict, so the exported weights load by name.

    x (B,1,H,W) in {0, 1/(nbins-1), ..., 1}, noise u (B,1,H,W) in [0,1)
    y = (x (nbins-1) + u) / nbins; x_s = a + (1-2a) y; z0 = logit(x_s); log-det -log x_s - log(1-x_s) + log(1-2a)
    4 x [checkerboard coupling, ActNorm] -> squeeze -> 4 x [channel coupling, ActNorm] -> unsqueeze -> 4 x [...]
    loss = -mean over images of sum (log N(z) + log-det)
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class GatedConv(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.conv3x3 = nn.Conv2d(n, n, 3, padding=1)
        self.conv1x1 = nn.Conv2d(n, 2 * n, 1)

    def forward(self, x):
        val, gate = F.elu(self.conv1x1(F.elu(self.conv3x3(x)))).chunk(2, dim=1)
        return x + val * torch.sigmoid(gate)


class SimpleResnet(nn.Module):
    def __init__(self, cin, cout, n_filters, n_blocks):
        super().__init__()
        self.input_conv = nn.Conv2d(cin, n_filters, 3, padding=1)
        for i in range(n_blocks):
            self.add_module(f"block{i}", GatedConv(n_filters))
        self.n_blocks = n_blocks
        self.output_conv = nn.Conv2d(n_filters, cout, 3, padding=1)

    def forward(self, x):
        h = F.elu(self.input_conv(x))
        for i in range(self.n_blocks):
            h = F.elu(getattr(self, f"block{i}")(h))
        return self.output_conv(h)


class ActNorm(nn.Module):
    # loaded already initialized (the export runs dgm's data-dependent initialization first)
    def __init__(self, c):
        super().__init__()
        self.log_scale = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.shift = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.register_buffer("initialized", torch.ones(1))

    def forward(self, x):
        assert self.initialized.item() == 1, "the twin expects an initialized ActNorm"
        return x * torch.exp(self.log_scale) + self.shift, self.log_scale.expand_as(x)


def checkerboard(h, w, parity):
    i = torch.arange(h).view(h, 1)
    j = torch.arange(w).view(1, w)
    m = ((i + j) % 2 == 0) if parity else ((i + j) % 2 == 1)
    return m.float().view(1, 1, h, w)


class CheckerboardCoupling(nn.Module):
    def __init__(self, parity, shape, c, n_filters, n_blocks):
        super().__init__()
        self.register_buffer("mask", checkerboard(shape[0], shape[1], parity))
        self.scale = nn.Parameter(torch.zeros(1))
        self.scale_shift = nn.Parameter(torch.zeros(1))
        self.resnet = SimpleResnet(c, 2 * c, n_filters, n_blocks)
        self.c = c

    def forward(self, x):
        s, t = self.resnet(x * self.mask).split(self.c, dim=1)
        s = (self.scale * torch.tanh(s) + self.scale_shift) * (1 - self.mask)
        t = t * (1 - self.mask)
        return x * torch.exp(s) + t, s


class ChannelCoupling(nn.Module):
    def __init__(self, parity, half, n_filters, n_blocks):
        super().__init__()
        self.parity = parity
        self.half = half
        self.scale = nn.Parameter(torch.zeros(1))
        self.scale_shift = nn.Parameter(torch.zeros(1))
        self.resnet = SimpleResnet(half, 2 * half, n_filters, n_blocks)

    def forward(self, x):
        a, b = x[:, : self.half], x[:, self.half :]
        change, ident = (a, b) if self.parity else (b, a)
        s, t = self.resnet(ident).split(self.half, dim=1)
        s = self.scale * torch.tanh(s) + self.scale_shift
        changed = change * torch.exp(s) + t
        zero = torch.zeros_like(s)
        if self.parity:
            return torch.cat([changed, ident], 1), torch.cat([s, zero], 1)
        return torch.cat([ident, changed], 1), torch.cat([zero, s], 1)


def squeeze(x):
    b, c, h, w = x.shape
    return x.reshape(b, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4).reshape(b, 4 * c, h // 2, w // 2)


def unsqueeze(x):
    b, c4, h, w = x.shape
    c = c4 // 4
    return x.reshape(b, c, 2, 2, h, w).permute(0, 1, 4, 2, 5, 3).reshape(b, c, 2 * h, 2 * w)


class RealNVP(nn.Module):
    def __init__(self, shape, c, n_filters, n_blocks, nbins, n_couplings=4, alpha=0.05):
        super().__init__()
        self.nbins, self.alpha = nbins, alpha
        self.transforms1 = nn.ModuleList()
        self.transforms2 = nn.ModuleList()
        self.transforms3 = nn.ModuleList()
        for i in range(n_couplings):
            p = i % 2 == 0
            self.transforms1.extend([CheckerboardCoupling(p, shape, c, n_filters, n_blocks), ActNorm(c)])
            self.transforms2.extend([ChannelCoupling(p, 2 * c, n_filters, n_blocks), ActNorm(4 * c)])
            self.transforms3.extend([CheckerboardCoupling(p, shape, c, n_filters, n_blocks), ActNorm(c)])

    def log_prob(self, x, noise):
        y = (x * (self.nbins - 1) + noise) / self.nbins
        xs = self.alpha + (1 - 2 * self.alpha) * y
        z = torch.log(xs) - torch.log(1 - xs)
        ld = -torch.log(xs) - torch.log(1 - xs) + math.log(1 - 2 * self.alpha)
        for layer in self.transforms1:
            z, d = layer(z)
            ld = ld + d
        z, ld = squeeze(z), squeeze(ld)
        for layer in self.transforms2:
            z, d = layer(z)
            ld = ld + d
        z, ld = unsqueeze(z), unsqueeze(ld)
        for layer in self.transforms3:
            z, d = layer(z)
            ld = ld + d
        log_pz = -0.5 * z**2 - 0.5 * math.log(2 * math.pi)
        return (log_pz + ld).flatten(1).sum(1)

    def loss(self, x, noise):
        return -self.log_prob(x, noise).mean()


def build(config, inputs):
    h, w = config["shape"]
    return RealNVP((h, w), config["channels"], config["n_filters"], config["n_blocks"], config["nbins"],
                   config["n_couplings"])


def loss(module, config, inputs):
    return module.loss(inputs["x"], inputs["noise"])
