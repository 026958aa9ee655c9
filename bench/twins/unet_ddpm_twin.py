"""The UNet DDPM's PyTorch twin: homework 5 task 3's UNet, ResBlock, AttnBlock, embeddings and ConditionalDDPM loss,
written with torch.nn from the course's description (COURSE.md section 1.5 task 3), independently of dgm's C++.
Parameter names follow dgm's state dict, so the exported weights load by name.

    TimeEmbedding:  table[t] ([sin, cos] of t exp(2i / d log 10000), the course's positive exponent) -> Linear ->
                    Swish -> Linear
    ConditionalEmbedding: Embedding(L + 1, d, padding_idx 0)[y + 1] -> Linear -> Swish -> Linear; cemb = 0 where
                    y = -1 (empty)
    ResBlock:       h = block1(x) + temb_proj(temb) + cemb_proj(cemb); out = attn(block2(h) + shortcut(x))
    UNet:           head, down (ResBlock with attention, Downsample but last), middle, up on cat([h, skip]), tail
                    (GroupNorm(tail_norm_groups, C) -> Swish -> Conv3x3; the course: 32 groups)
    loss            x_t = sqrt(abar_t)(2 x0 - 1) + sqrt(1 - abar_t) eps; mean (eps - eps_theta(x_t, t, y))^2
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# The UNet of `dgm train ddpm-mnist-cfg --preset quick` (models/diffusion/unet_specs.cpp): hidden 32, multipliers
# [1, 2, 2], attention from level 1, GroupNorm(8) in the tail, dropout 0.1, T = 1000, 10 labels; the benchmarks'
# twin of its training step.
QUICK_CONFIG = {"num_timesteps": 1000, "num_labels": 10, "hidden_channels": 32, "channel_multipliers": [1, 2, 2],
                "num_blocks": 1, "dropout": 0.1, "attn_from_level": 1, "tail_norm_groups": 8}


def swish(x):
    return x * torch.sigmoid(x)


class Swish(nn.Module):
    def forward(self, x):
        return swish(x)


def sinusoidal_table(T, d):
    emb = torch.exp(torch.arange(0, d, step=2) / d * math.log(10000))
    pos = torch.arange(T).float()
    emb = pos[:, None] * emb[None, :]
    return torch.stack([torch.sin(emb), torch.cos(emb)], dim=-1).view(T, d)


class TimeEmbedding(nn.Module):
    def __init__(self, T, d_in, d_out):
        super().__init__()
        self.register_buffer("table", sinusoidal_table(T, d_in), persistent=False)
        self.linear1 = nn.Linear(d_in, d_out)
        self.linear2 = nn.Linear(d_out, d_out)

    def forward(self, t):
        return self.linear2(swish(self.linear1(self.table[t])))


class ConditionalEmbedding(nn.Module):
    def __init__(self, num_labels, d_in, d_out):
        super().__init__()
        self.embedding = nn.Embedding(num_labels + 1, d_in, padding_idx=0)
        self.linear1 = nn.Linear(d_in, d_out)
        self.linear2 = nn.Linear(d_out, d_out)

    def forward(self, y):
        return self.linear2(swish(self.linear1(self.embedding(y + 1))))


class AttnBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.group_norm = nn.GroupNorm(32, c)
        self.proj_q, self.proj_k, self.proj_v, self.proj = (nn.Conv2d(c, c, 1) for _ in range(4))

    def forward(self, x):
        B, C, H, W = x.shape
        h = self.group_norm(x)
        q = self.proj_q(h).permute(0, 2, 3, 1).reshape(B, H * W, C)
        k = self.proj_k(h).reshape(B, C, H * W)
        v = self.proj_v(h).permute(0, 2, 3, 1).reshape(B, H * W, C)
        w = F.softmax(torch.bmm(q, k) * (C ** -0.5), dim=-1)
        out = torch.bmm(w, v).reshape(B, H, W, C).permute(0, 3, 1, 2)
        return x + self.proj(out)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, tdim, dropout, attn):
        super().__init__()
        self.block1 = nn.Sequential(nn.GroupNorm(32, cin), Swish(), nn.Conv2d(cin, cout, 3, 1, 1))
        self.temb_proj = nn.Sequential(Swish(), nn.Linear(tdim, cout))
        self.cemb_proj = nn.Sequential(Swish(), nn.Linear(tdim, cout))
        self.block2 = nn.Sequential(nn.GroupNorm(32, cout), Swish(), nn.Dropout(dropout),
                                    nn.Conv2d(cout, cout, 3, 1, 1))
        self.shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None
        self.attn = AttnBlock(cout) if attn else None

    def forward(self, x, temb, cemb):
        h = self.block1(x) + self.temb_proj(temb)[:, :, None, None] + self.cemb_proj(cemb)[:, :, None, None]
        h = self.block2(h) + (self.shortcut(x) if self.shortcut is not None else x)
        return self.attn(h) if self.attn is not None else h


class Downsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, 2, 1)

    def forward(self, x):
        return self.conv(x)


class Upsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, 1, 1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False))


class UNet(nn.Module):
    def __init__(self, T, num_labels, ch, mult, num_blocks, dropout, attn_from_level=0, tail_norm_groups=32):
        super().__init__()
        tdim = 4 * ch
        self.time_embedding = TimeEmbedding(T, ch, tdim)
        self.cond_embedding = ConditionalEmbedding(num_labels, ch, tdim)
        self.head = nn.Conv2d(1, ch, 3, 1, 1)
        self.downblocks, self.middleblocks, self.upblocks = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        chs, now = [ch], ch
        for i, m in enumerate(mult):
            for _ in range(num_blocks):
                self.downblocks.append(ResBlock(now, ch * m, tdim, dropout, i >= attn_from_level))
                now = ch * m
                chs.append(now)
            if i != len(mult) - 1:
                self.downblocks.append(Downsample(now))
                chs.append(now)
        self.middleblocks.append(ResBlock(now, now, tdim, dropout, True))
        self.middleblocks.append(ResBlock(now, now, tdim, dropout, False))
        for i, m in reversed(list(enumerate(mult))):
            for _ in range(num_blocks + 1):
                self.upblocks.append(ResBlock(chs.pop() + now, ch * m, tdim, dropout, False))
                now = ch * m
            if i != 0:
                self.upblocks.append(Upsample(now))
        self.tail = nn.Sequential(nn.GroupNorm(tail_norm_groups, now), Swish(), nn.Conv2d(now, 1, 3, 1, 1))

    def forward(self, x, t, y):
        temb = self.time_embedding(t)
        cemb = self.cond_embedding(y) * (y >= 0).float()[:, None]
        h = self.head(x)
        hs = [h]
        for layer in self.downblocks:
            h = layer(h, temb, cemb) if isinstance(layer, ResBlock) else layer(h)
            hs.append(h)
        for layer in self.middleblocks:
            h = layer(h, temb, cemb)
        for layer in self.upblocks:
            h = layer(torch.cat([h, hs.pop()], 1), temb, cemb) if isinstance(layer, ResBlock) else layer(h)
        return self.tail(h)


def alphas_cumprod(T, s=0.008):
    f = lambda t: np.cos(((t / T + s) / (1 + s)) * np.pi / 2) ** 2  # noqa: E731
    t = np.arange(T + 1, dtype=np.float64)
    betas = np.minimum(1 - f(t[1:]) / f(t[:-1]), 0.999)
    return np.cumprod(1 - betas)


class ConditionalDDPM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.T = config["num_timesteps"]
        self.model = UNet(self.T, config["num_labels"], config["hidden_channels"], config["channel_multipliers"],
                          config["num_blocks"], config["dropout"], config.get("attn_from_level", 0),
                          config.get("tail_norm_groups", 32))
        abar = alphas_cumprod(self.T)
        self.register_buffer("sqrt_abar", torch.from_numpy(np.sqrt(abar)).float(), persistent=False)
        self.register_buffer("sqrt_1m_abar", torch.from_numpy(np.sqrt(1 - abar)).float(), persistent=False)

    def loss(self, x0, y, t, noise):
        x = 2 * x0 - 1
        x_t = self.sqrt_abar[t][:, None, None, None] * x + self.sqrt_1m_abar[t][:, None, None, None] * noise
        return F.mse_loss(self.model(x_t, t, y), noise)


def build(config, inputs):
    module = ConditionalDDPM(config)
    # dgm's table is used for the comparison; the difference to PyTorch's own is reported (ulps of exp and sin of
    # large arguments, from the course's positive exponent)
    own = module.model.time_embedding.table
    dgm_table = inputs["time_table"]
    print(f"  time table: max|dgm - torch| = {float((own - dgm_table).abs().max()):.3g}")
    module.model.time_embedding.table = dgm_table
    return module


def loss(module, config, inputs):
    return module.loss(inputs["x0"], inputs["y"].long(), inputs["t"].long(), inputs["noise"])
