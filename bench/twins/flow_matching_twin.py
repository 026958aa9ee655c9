"""The flow matching PyTorch twin: homework 6 task 2's UNet with the continuous time embedding and the conditional
flow matching loss, written with torch.nn from the course's description (COURSE.md section 1.6), independently of
dgm's C++. Parameter names follow dgm's state dict, so the exported weights load by name.

    TimeEmbedding(d):  t in [0, 1] -> cat(sin(k pi t), cos(k pi t)), k = 1..d/2 (no MLP, no parameters), d = 4 ch
    ResBlock:          h = block1(x) + temb_proj(temb) + cemb_proj(0); out = attn(block2(h) + shortcut(x))
                       (dgm's ResBlock keeps hw5's class projection; the hw6 UNet feeds it cemb = 0, so it adds its
                       Linear's bias, a second per-channel bias; the course's hw6 block has none)
    UNet:              head, down (ResBlock with attention from attn_from_level, Downsample but last), middle, up on
                       cat([h, skip]), tail; no class embedding
    loss               x_t = t x1 + (1 - t) x0; mean (v_theta(x_t, t) - (x1 - x0))^2
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# The UNet of `dgm train cfm-mnist --preset quick` (models/flow_matching/): continuous time, hidden 32, multipliers
# [1, 2, 2], 1 block, attention from level 1, dropout 0.1; the benchmarks' twin of its training step.
QUICK_CONFIG = {"hidden_channels": 32, "channel_multipliers": [1, 2, 2], "num_blocks": 1, "dropout": 0.1,
                "attn_from_level": 1}


def swish(x):
    return x * torch.sigmoid(x)


class Swish(nn.Module):
    def forward(self, x):
        return swish(x)


def time_embedding(t, d):
    freqs = torch.arange(1, d // 2 + 1, dtype=t.dtype) * math.pi
    return torch.cat([torch.sin(freqs[None, :] * t[:, None]), torch.cos(freqs[None, :] * t[:, None])], dim=1)


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
        w = F.softmax(torch.bmm(q, k) * (C**-0.5), dim=-1)
        return x + self.proj(torch.bmm(w, v).reshape(B, H, W, C).permute(0, 3, 1, 2))


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

    def forward(self, x, temb):
        cemb = torch.zeros_like(temb)
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
    def __init__(self, ch, mult, num_blocks, dropout, attn_from_level):
        super().__init__()
        self.tdim = 4 * ch
        self.head = nn.Conv2d(1, ch, 3, 1, 1)
        self.downblocks, self.middleblocks, self.upblocks = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        chs, now = [ch], ch
        for i, m in enumerate(mult):
            for _ in range(num_blocks):
                self.downblocks.append(ResBlock(now, ch * m, self.tdim, dropout, i >= attn_from_level))
                now = ch * m
                chs.append(now)
            if i != len(mult) - 1:
                self.downblocks.append(Downsample(now))
                chs.append(now)
        self.middleblocks.append(ResBlock(now, now, self.tdim, dropout, True))
        self.middleblocks.append(ResBlock(now, now, self.tdim, dropout, False))
        for i, m in reversed(list(enumerate(mult))):
            for _ in range(num_blocks + 1):
                self.upblocks.append(ResBlock(chs.pop() + now, ch * m, self.tdim, dropout, False))
                now = ch * m
            if i != 0:
                self.upblocks.append(Upsample(now))
        self.tail = nn.Sequential(nn.GroupNorm(32, now), Swish(), nn.Conv2d(now, 1, 3, 1, 1))

    def forward(self, x, t):
        temb = time_embedding(t, self.tdim)
        h = self.head(x)
        hs = [h]
        for layer in self.downblocks:
            h = layer(h, temb) if isinstance(layer, ResBlock) else layer(h)
            hs.append(h)
        for layer in self.middleblocks:
            h = layer(h, temb)
        for layer in self.upblocks:
            h = layer(torch.cat([h, hs.pop()], 1), temb) if isinstance(layer, ResBlock) else layer(h)
        return self.tail(h)


class FlowMatching(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.model = UNet(config["hidden_channels"], config["channel_multipliers"], config["num_blocks"],
                          config["dropout"], config.get("attn_from_level", 0))

    def loss(self, x1, x0, t):
        tb = t[:, None, None, None]
        x_t = tb * x1 + (1 - tb) * x0
        return F.mse_loss(self.model(x_t, t), x1 - x0)


def build(config, inputs):
    return FlowMatching(config)


def loss(module, config, inputs):
    return module.loss(inputs["x1"], inputs["x0"], inputs["t"])
