"""The 2-D DDPM's PyTorch twin (homework 5 task 2), written from the course's description (COURSE.md section 1.5)
independently of dgm's C++; parameter names follow dgm's state dict (the DDPM holds its predictor as "model").

    cosine schedule, float64: f(t) = cos(((t/T + s)/(1 + s)) pi/2)^2, s = 0.008; beta_t = min(1 - f(t)/f(t-1), 0.999)
                              for t = 1..T; abar = cumprod(1 - beta)
    ConditionalMLP:           h = SELU(x_proj(x) + t_proj(t)); eps = backbone(h),
                              backbone = Linear -> SELU -> Linear -> SELU -> Linear(-> input_dim)
    loss (L_simple):          x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps; mean (eps - eps_theta(x_t, t))^2
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def alphas_cumprod(num_timesteps, s=0.008, max_beta=0.999):
    t = np.arange(num_timesteps + 1, dtype=np.float64)
    f = np.cos(((t / num_timesteps + s) / (1 + s)) * np.pi / 2) ** 2
    betas = np.minimum(1 - f[1:] / f[:-1], max_beta)
    return np.cumprod(1 - betas)


class ConditionalMLP(nn.Module):
    def __init__(self, input_dim, num_embeds, hidden_dim):
        super().__init__()
        self.x_proj = nn.Linear(input_dim, hidden_dim)
        self.t_proj = nn.Embedding(num_embeds, hidden_dim)
        self.backbone = nn.Sequential(nn.Linear(hidden_dim, hidden_dim), nn.SELU(), nn.Linear(hidden_dim, hidden_dim),
                                      nn.SELU(), nn.Linear(hidden_dim, input_dim))

    def forward(self, x, t):
        return self.backbone(F.selu(self.x_proj(x) + self.t_proj(t)))


class DDPM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.model = ConditionalMLP(config["input_dim"], config["num_timesteps"], config["hidden_dim"])
        self.abar = torch.from_numpy(alphas_cumprod(config["num_timesteps"]))

    def loss(self, x0, t, noise):
        abar = self.abar[t][:, None]
        x_t = (abar.sqrt() * x0 + (1 - abar).sqrt() * noise).float()
        return F.mse_loss(self.model(x_t, t), noise)


def build(config, inputs):
    return DDPM(config)


def loss(module, config, inputs):
    return module.loss(inputs["x0"], inputs["t"].long(), inputs["noise"])
