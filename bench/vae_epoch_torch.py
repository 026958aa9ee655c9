#!/usr/bin/python3
"""PyTorch reference for dgm's conv VAE (models/vae/conv_vae.h): the same
layers, batch size, optimizer and data (binarized MNIST), one epoch.
Prints the training time of the epoch and the test negative ELBO.
  /usr/bin/python3 bench/vae_epoch_torch.py DATA_DIR THREADS [cpu|cuda]
On cuda the loss is read back (.item()) every step, as dgm's trainer does to
log it, so both wait for the GPU equally often."""
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

data_dir, threads = sys.argv[1], int(sys.argv[2])
device = sys.argv[3] if len(sys.argv) > 3 else "cpu"
torch.set_num_threads(threads)
torch.manual_seed(0)


def read_idx(path):
    import gzip, os
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path += ".gz"
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def load(split):
    x = read_idx(f"{data_dir}/mnist/{split}-images-idx3-ubyte").float().unsqueeze(1)
    return (x > 128).float().to(device)


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


train, test = load("train"), load("t10k")
model = ConvVAE().to(device)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
perm = torch.randperm(train.shape[0], device=device)
start = time.perf_counter()
for i in range(0, train.shape[0], 128):
    loss = model.loss(train[perm[i:i + 128]])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if device != "cpu":
        loss.item()
if device != "cpu":
    torch.cuda.synchronize()
seconds = time.perf_counter() - start
with torch.no_grad():
    total = sum(model.loss(test[i:i + 128]).item() * test[i:i + 128].shape[0] for i in range(0, test.shape[0], 128))
print(f"torch: epoch {seconds:.1f} s ({seconds / (train.shape[0] / 128) * 1e3:.1f} ms/step), "
      f"test negative ELBO {total / test.shape[0]:.2f}")
