"""VQ-VAE's PyTorch twin: homework 3's VQVAEModel written with torch.nn from the
course's description (COURSE.md section 1.3 task 2), independently of dgm's C++.
Parameter names follow dgm's state dict, so the exported weights load by name.

    z_e = encoder(x) (B,D,7,7); k = argmin_j |z_e - e_j|^2 per position; z_q = e_k
    vq_loss = mse(z_q, sg(z_e)) + beta mse(z_e, sg(z_q)); z_q <- z_e + sg(z_q - z_e) (straight-through)
    logits = decoder(z_q) (B,2,28,28); total_loss = ce_scale * CE(logits, pixels) + vq_loss
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def encoder(c, d):
    return nn.Sequential(nn.Conv2d(1, c, 4, 2, 1), nn.ReLU(), nn.Conv2d(c, 2 * c, 4, 2, 1), nn.ReLU(),
                         nn.Conv2d(2 * c, d, 3, 1, 1))


def decoder(c, d):
    return nn.Sequential(nn.Conv2d(d, 2 * c, 3, 1, 1), nn.ReLU(), nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.ReLU(),
                         nn.ConvTranspose2d(c, 2, 4, 2, 1))


class Coder(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)


class VectorQuantizer(nn.Module):
    def __init__(self, k, d, beta):
        super().__init__()
        self.embedding = nn.Embedding(k, d)
        self.beta = beta

    def forward(self, x):
        b, d, h, w = x.shape
        flat = x.permute(0, 2, 3, 1).reshape(-1, d)
        e = self.embedding.weight
        dist = (flat**2).sum(1, keepdim=True) - 2 * flat @ e.t() + (e**2).sum(1)[None]
        idx = dist.argmin(1).view(b, h, w)
        q = self.embedding(idx).permute(0, 3, 1, 2)
        loss = F.mse_loss(q, x.detach()) + self.beta * F.mse_loss(x, q.detach())
        return x + (q - x).detach(), loss


class VQVAE(nn.Module):
    def __init__(self, config):
        super().__init__()
        c, d = config["channels"], config["latent_dim"]
        self.encoder = Coder(encoder(c, d))
        self.vq = VectorQuantizer(config["num_embeddings"], d, config["beta"])
        self.decoder = Coder(decoder(c, d))
        self.ce_scale = config["ce_loss_scale"]

    def loss(self, x):
        q, vq_loss = self.vq(self.encoder(x))
        logits = self.decoder(q)
        ce = F.cross_entropy(logits, x[:, 0].round().long())
        return self.ce_scale * ce + vq_loss


def build(config, inputs):
    return VQVAE(config)


def loss(module, config, inputs):
    return module.loss(inputs["x"])
