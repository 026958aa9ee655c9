"""The ResNet VAE's PyTorch twin: homework 2 task 3's ConvResNetVAE written with torch.nn from the course's
description (COURSE.md section 1.2 task 3), independently of dgm's C++. Parameter names follow dgm's state
dict, so the exported weights load by name. BatchNorm in training mode (batch statistics).

    ResNetBlock:          out = elu(skip(x) + conv2(bn2(elu(conv1(bn1(x))))))      conv1 strided, skip 1x1 strided
    ResNetTransposeBlock: f = upconv(upsample_nearest(bn1(x), stride)), out = conv(bn2(f)) + f   ("same" convs)
    encoder: stride-2 ResNetBlocks, flatten, Linear -> (mu, log_std); decoder: Linear, reshape,
             stride-2 ResNetTransposeBlocks, elu, 3x3 same conv -> mu_x
    loss = mean_b [ sum_pixels nll(x; mu_x(mu + exp(log_std) eps), 1) + beta sum_latents KL(q || N(0, 1)) ]
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class ResNetBlock(nn.Module):
    def __init__(self, cin, cout, k=3, stride=1, final_relu=True):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, k, stride, k // 2)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, k, padding="same")
        self.skip = nn.Conv2d(cin, cout, 1, stride)
        self.final_relu = final_relu

    def forward(self, x):
        out = self.skip(x) + self.conv2(self.bn2(F.elu(self.conv1(self.bn1(x)))))
        return F.elu(out) if self.final_relu else out


class ResNetTransposeBlock(nn.Module):
    def __init__(self, cin, cout, k=3, stride=2):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.upconv = nn.Conv2d(cin, cout, k, padding="same")
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv = nn.Conv2d(cout, cout, k, padding="same")
        self.stride = stride

    def forward(self, x):
        f = self.upconv(F.interpolate(self.bn1(x), scale_factor=self.stride, mode="nearest"))
        return self.conv(self.bn2(f)) + f


class Encoder(nn.Module):
    def __init__(self, shape, n_latent, channels):
        super().__init__()
        cin = shape[0]
        for i, c in enumerate(channels):
            self.add_module(f"block{i}", ResNetBlock(cin, c, 3, 2))
            cin = c
        f = 2 ** len(channels)
        self.fc = nn.Linear(cin * (shape[1] // f) * (shape[2] // f), 2 * n_latent)
        self.n = len(channels)

    def forward(self, x):
        for i in range(self.n):
            x = getattr(self, f"block{i}")(x)
        return self.fc(x.flatten(1)).chunk(2, dim=1)


class Decoder(nn.Module):
    def __init__(self, n_latent, shape, channels):
        super().__init__()
        f = 2 ** len(channels)
        self.grid = (channels[-1], shape[1] // f, shape[2] // f)
        self.fc = nn.Linear(n_latent, channels[-1] * self.grid[1] * self.grid[2])
        n = len(channels)
        for j, i in enumerate(reversed(range(n))):
            self.add_module(f"block{j}", ResNetTransposeBlock(channels[i], channels[max(i - 1, 0)], 3, 2))
        self.out_conv = nn.Conv2d(channels[0], shape[0], 3, padding="same")
        self.n = n

    def forward(self, z):
        h = self.fc(z).view(z.shape[0], *self.grid)
        for i in range(self.n):
            h = getattr(self, f"block{i}")(h)
        return self.out_conv(F.elu(h))


class ConvResNetVAE(nn.Module):
    def __init__(self, shape, n_latent, beta, channels):
        super().__init__()
        self.encoder = Encoder(shape, n_latent, channels)
        self.decoder = Decoder(n_latent, shape, channels)
        self.beta = beta

    def loss(self, x, eps):
        mu, log_std = self.encoder(x)
        mu_x = self.decoder(mu + torch.exp(log_std) * eps)
        nll = 0.5 * math.log(2 * math.pi) + 0.5 * (x - mu_x) ** 2  # -log N(x; mu_x, 1)
        kl = -log_std + (torch.exp(2 * log_std) + mu**2) / 2 - 0.5  # KL(N(mu, s^2) || N(0, 1))
        return nll.flatten(1).sum(1).mean() + self.beta * kl.sum(1).mean()


def build(config, inputs):
    return ConvResNetVAE(config["shape"], config["n_latent"], config["beta"], config["channels"])


def loss(module, config, inputs):
    module.train()
    return module.loss(inputs["x"], inputs["eps"])
