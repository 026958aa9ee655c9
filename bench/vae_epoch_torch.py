#!/usr/bin/python3
"""PyTorch reference for dgm's conv VAE (models/vae/conv_vae.h): the same
layers, batch size, optimizer and data (binarized MNIST), one epoch.
Prints the training time of the epoch and the test negative ELBO.
  /usr/bin/python3 bench/vae_epoch_torch.py DATA_DIR THREADS [cpu|cuda]
On cuda the loss is read back (.item()) every step, as dgm's trainer does to
log it, so both wait for the GPU equally often."""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_mnist import ConvVAE, binarized_mnist  # noqa: E402

data_dir, threads = sys.argv[1], int(sys.argv[2])
device = sys.argv[3] if len(sys.argv) > 3 else "cpu"
torch.set_num_threads(threads)
torch.manual_seed(0)

train, test = binarized_mnist(data_dir, "train", device), binarized_mnist(data_dir, "t10k", device)
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
