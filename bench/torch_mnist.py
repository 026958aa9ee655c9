"""What the PyTorch references in bench/ share: MNIST's IDX files, binarized MNIST, and the two models that more
than one of them times (dgm's conv VAE of models/vae/conv_vae.h, PixelCNN's masked convolution)."""
import gzip
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    """An IDX file (plain or .gz) as a uint8 tensor of its stated dims."""
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path += ".gz"
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def binarized_mnist(data_dir, split, device):
    """MNIST's `split` (train or t10k) as (N, 1, 28, 28) float 0/1, pixels above 128 set, as dgm binarizes."""
    x = read_idx(f"{data_dir}/mnist/{split}-images-idx3-ubyte").float().unsqueeze(1)
    return (x > 128).float().to(device)


class ConvVAE(nn.Module):
    """dgm's conv VAE: two stride-2 convs, latent 16, two transposed convs; Bernoulli decoder."""

    def __init__(self, latent=16):
        super().__init__()
        self.enc1, self.enc2 = nn.Conv2d(1, 32, 3, 2, 1), nn.Conv2d(32, 64, 3, 2, 1)
        self.enc_fc, self.dec_fc = nn.Linear(64 * 7 * 7, 2 * latent), nn.Linear(latent, 64 * 7 * 7)
        self.dec1, self.dec2 = nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ConvTranspose2d(32, 1, 4, 2, 1)

    def loss(self, x):
        # negative ELBO per image: BCE of the decoder's logits + KL(N(mu, exp(logvar)) || N(0, I))
        h = F.relu(self.enc2(F.relu(self.enc1(x))))
        mu, logvar = self.enc_fc(h.flatten(1)).chunk(2, 1)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = self.dec2(F.relu(self.dec1(F.relu(self.dec_fc(z)).view(-1, 64, 7, 7))))
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum() / x.shape[0]
        return recon + kl


class MaskedConv2d(nn.Conv2d):
    """PixelCNN's masked convolution: type A hides the centre pixel too, type B lets it through."""

    def __init__(self, mask_type, cin, cout, k):
        super().__init__(cin, cout, k, padding=k // 2)
        mask = torch.ones_like(self.weight)
        mask[:, :, k // 2, k // 2 + (mask_type == "B"):] = 0
        mask[:, :, k // 2 + 1:] = 0
        self.register_buffer("mask", mask)

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)
