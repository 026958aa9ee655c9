"""WGAN-GP's PyTorch twin: homework 3 task 3's ConvGenerator, ConvCritic and WGAN_GP losses written with
torch.nn from the course's description (COURSE.md section 1.3 task 3), independently of dgm's C++. Parameter
names follow dgm's state dict, so the exported weights load by name. BatchNorm in training mode.

    GeneratorBlock: h = conv2(relu(bn2(conv1(up(relu(bn1(x))))))), out = h + shortcut_conv(up(x)) (1x1 if in != out)
    ConvGenerator:  linear -> (B, n, 4, 4) -> 3 upsampling blocks -> relu(bn) -> conv 3x3 -> tanh
    CriticBlock:    h = pool(conv2(relu(conv1(x if first else relu(x))))), out = h + pool(shortcut_conv(x))
    ConvCritic:     blocks (down, first), (down), (), () -> relu -> mean over H, W -> linear
    critic_loss    = E f(G(z)) - E f(x) + gp_weight E_t (|d f(x_t) / d x_t| - 1)^2, x_t = t x + (1 - t) sg(G(z))
    generator_loss = -E f(G(z))
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class GeneratorBlock(nn.Module):
    def __init__(self, cin, cout, upsample):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.shortcut_conv = nn.Conv2d(cin, cout, 1) if cin != cout else None
        self.upsample = upsample

    def up(self, x):
        return F.interpolate(x, scale_factor=2, mode="nearest") if self.upsample else x

    def forward(self, x):
        h = self.conv2(F.relu(self.bn2(self.conv1(self.up(F.relu(self.bn1(x)))))))
        s = self.up(x)
        return h + (self.shortcut_conv(s) if self.shortcut_conv is not None else s)


class ConvGenerator(nn.Module):
    def __init__(self, input_size, n, out_channels):
        super().__init__()
        self.n = n
        self.linear = nn.Linear(input_size, 16 * n)
        self.blocks = nn.Sequential(*[GeneratorBlock(n, n, True) for _ in range(3)])
        self.bn = nn.BatchNorm2d(n)
        self.conv = nn.Conv2d(n, out_channels, 3, 1, 1)

    def forward(self, z):
        h = self.blocks(self.linear(z).view(-1, self.n, 4, 4))
        return torch.tanh(self.conv(F.relu(self.bn(h))))


def avg_pool(x):
    return (x[:, :, ::2, ::2] + x[:, :, 1::2, ::2] + x[:, :, ::2, 1::2] + x[:, :, 1::2, 1::2]) / 4


class CriticBlock(nn.Module):
    def __init__(self, cin, cout, downsample=False, first=False):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.shortcut_conv = nn.Conv2d(cin, cout, 1) if cin != cout else None
        self.downsample, self.first = downsample, first

    def forward(self, x):
        h = self.conv2(F.relu(self.conv1(x if self.first else F.relu(x))))
        s = self.shortcut_conv(x) if self.shortcut_conv is not None else x
        if self.downsample:
            h, s = avg_pool(h), avg_pool(s)
        return h + s


class ConvCritic(nn.Module):
    def __init__(self, n, in_channels):
        super().__init__()
        self.blocks = nn.Sequential(CriticBlock(in_channels, n, True, True), CriticBlock(n, n, True),
                                    CriticBlock(n, n), CriticBlock(n, n))
        self.linear = nn.Linear(n, 1)

    def forward(self, x):
        return self.linear(F.relu(self.blocks(x)).mean(dim=(2, 3)))


class WGAN_GP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.generator = ConvGenerator(config["input_size"], config["n_channels"], config["image_channels"])
        self.critic = ConvCritic(config["n_channels"], config["image_channels"])
        self.register_buffer("calls", torch.zeros((), dtype=torch.int64))
        self.gp_weight = config["gp_weight"]

    def gradient_penalty(self, real, fake, t):
        x_t = (t * real + (1 - t) * fake.detach()).requires_grad_(True)
        d = self.critic(x_t)
        g = torch.autograd.grad(d, x_t, grad_outputs=torch.ones_like(d), create_graph=True, retain_graph=True)[0]
        return ((g.flatten(1).norm(2, dim=1) - 1) ** 2).mean()

    def critic_loss(self, x, z, t):
        fake = self.generator(z)
        return self.critic(fake).mean() - self.critic(x).mean() + self.gp_weight * self.gradient_penalty(x, fake, t)

    def generator_loss(self, z):
        return -self.critic(self.generator(z)).mean()


def build(config, inputs):
    return WGAN_GP(config)


def loss(module, config, inputs):
    if config["loss"] == "generator":
        return module.generator_loss(inputs["z"])
    return module.critic_loss(inputs["x"], inputs["z"], inputs["t"])
