#!/usr/bin/python3
"""PyTorch eager twin of bench/model_step.cpp: ms per training step of the
conv VAE and of a PixelCNN-size masked conv stack, batch 128, Adam 1e-3, the
loss read back (.item()) every step.
  python3 bench/model_step_torch.py [cpu|cuda] [steps] [benchmark]
`benchmark` sets torch.backends.cudnn.benchmark = True (cuDNN algorithms
chosen by timing them, as dgm does by default); PyTorch's default is False."""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

device = sys.argv[1] if len(sys.argv) > 1 else "cuda"
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 50
torch.backends.cudnn.benchmark = len(sys.argv) > 3 and sys.argv[3] == "benchmark"
torch.backends.cuda.matmul.allow_tf32 = False  # dgm computes float32 without TF32
torch.backends.cudnn.allow_tf32 = False


class ConvVAE(nn.Module):
    def __init__(self, latent=16):
        super().__init__()
        self.enc1, self.enc2 = nn.Conv2d(1, 32, 3, 2, 1), nn.Conv2d(32, 64, 3, 2, 1)
        self.enc_fc, self.dec_fc = nn.Linear(64 * 7 * 7, 2 * latent), nn.Linear(latent, 64 * 7 * 7)
        self.dec1, self.dec2 = nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ConvTranspose2d(32, 1, 4, 2, 1)

    def loss(self, x):
        h = F.relu(self.enc2(F.relu(self.enc1(x))))
        mu, logvar = self.enc_fc(h.flatten(1)).chunk(2, 1)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = self.dec2(F.relu(self.dec1(F.relu(self.dec_fc(z)).view(-1, 64, 7, 7))))
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum() / x.shape[0]
        return recon + kl


class MaskedConv2d(nn.Conv2d):
    def __init__(self, mask_type, cin, cout, k):
        super().__init__(cin, cout, k, padding=k // 2)
        mask = torch.ones_like(self.weight)
        mask[:, :, k // 2, k // 2 + (mask_type == "B"):] = 0
        mask[:, :, k // 2 + 1:] = 0
        self.register_buffer("mask", mask)

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)


class PixelCNNStack(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([MaskedConv2d("A", 1, 64, 7)] + [MaskedConv2d("B", 64, 64, 7) for _ in range(5)])
        self.head = nn.Conv2d(64, 2, 1)

    def forward(self, x):
        h = self.convs[0](x)
        for c in self.convs[1:]:
            h = F.relu(c(h))
        return self.head(h)


def time_steps(step):
    for _ in range(5):
        step()
    ms = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        ms.append((time.perf_counter() - t0) * 1e3)
    return sorted(ms)[len(ms) // 2]


torch.manual_seed(0)
x = (torch.rand(128, 1, 28, 28) > 0.5).float().to(device)
vae = ConvVAE().to(device)
vae_opt = torch.optim.Adam(vae.parameters(), lr=1e-3)


def vae_step():
    loss = vae.loss(x)
    vae_opt.zero_grad()
    loss.backward()
    vae_opt.step()
    return loss.item()


net = PixelCNNStack().to(device)
net_opt = torch.optim.Adam(net.parameters(), lr=1e-3)
target = x.long().squeeze(1)


def net_step():
    loss = F.cross_entropy(net(x), target)
    net_opt.zero_grad()
    loss.backward()
    net_opt.step()
    return loss.item()


name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
print(f"torch {torch.__version__} model_step on {name}, cudnn.benchmark={torch.backends.cudnn.benchmark}")
print(f"vae             {time_steps(vae_step):8.3f} ms/step")
print(f"pixelcnn_stack  {time_steps(net_step):8.3f} ms/step")
