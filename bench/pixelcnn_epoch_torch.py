#!/usr/bin/python3
"""PyTorch twin of `dgm train pixelcnn` (models/ar/pixelcnn.h, homework 1):
MaskedConv2d A 1->64 7x7, 5 x [channel LayerNorm, ReLU, MaskedConv2d B 64->64
7x7], ReLU, MaskedConv2d B 64->2 1x1; input (x-0.5)/0.5; cross-entropy in nats
per pixel; binarized MNIST, batch 128, Adam 1e-3, the loss read back every step
(as dgm's trainer logs it). Prints each epoch's training time and test loss.
  python3 bench/pixelcnn_epoch_torch.py DATA_DIR [cpu|cuda] [EPOCHS] [benchmark]"""
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_mnist import MaskedConv2d, binarized_mnist  # noqa: E402

data_dir = sys.argv[1]
device = sys.argv[2] if len(sys.argv) > 2 else "cuda"
epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
torch.backends.cudnn.benchmark = len(sys.argv) > 4 and sys.argv[4] == "benchmark"
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.manual_seed(0)
if device == "cpu":
    torch.set_num_threads(os.cpu_count())  # Debian's torch starts with 1 thread here; dgm uses every core


class ChannelLayerNorm(nn.LayerNorm):
    def forward(self, x):
        return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class PixelCNN(nn.Module):
    def __init__(self, n_filters=64, k=7, n_layers=5):
        super().__init__()
        layers = [MaskedConv2d("A", 1, n_filters, k)]
        for _ in range(n_layers):
            layers += [ChannelLayerNorm(n_filters), nn.ReLU(), MaskedConv2d("B", n_filters, n_filters, k)]
        layers += [nn.ReLU(), MaskedConv2d("B", n_filters, 2, 1)]
        self.net = nn.Sequential(*layers)

    def loss(self, x):
        return F.cross_entropy(self.net((x - 0.5) / 0.5), x.squeeze(1).long())


train, test = binarized_mnist(data_dir, "train", device), binarized_mnist(data_dir, "t10k", device)
model = PixelCNN().to(device)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
name = torch.cuda.get_device_name() if device == "cuda" else f"cpu, {torch.get_num_threads()} threads"
print(f"torch {torch.__version__} PixelCNN on {name}, cudnn.benchmark={torch.backends.cudnn.benchmark}")
for epoch in range(1, epochs + 1):
    perm = torch.randperm(train.shape[0], device=device)
    start = time.perf_counter()
    for i in range(0, train.shape[0], 128):
        loss = model.loss(train[perm[i:i + 128]])
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        total = sum(model.loss(test[i:i + 128]).item() * test[i:i + 128].shape[0] for i in range(0, test.shape[0], 128))
    print(f"epoch {epoch}: {seconds:.1f} s, test loss {total / test.shape[0]:.4f} nats per pixel")
