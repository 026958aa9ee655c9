#!/usr/bin/python3
"""PyTorch eager twin of bench/model_step.cpp: ms per training step of the
conv VAE, of a PixelCNN-size masked conv stack, of the PixelCNNs of homework 1
and of seminar 1 (256 levels), batch 128, and of the ImageGPT of `dgm train imagegpt`, batch 64; Adam 1e-3,
the loss read back
(.item()) every step.
  /usr/bin/python3 bench/model_step_torch.py [cpu|cuda] [steps] [benchmark] [threads=N] [models]
`benchmark` sets torch.backends.cudnn.benchmark = True (cuDNN algorithms
chosen by timing them, as dgm does by default); PyTorch's default is False.
models: a comma list out of vae, pixelcnn_stack, pixelcnn, pixelcnn_gray, imagegpt, realnvp, resnet_vae,
vqvae, wgan_gp_critic, wgan_gp_generator (default
vae,pixelcnn_stack, as dgm_model_step).
threads=N: PyTorch's intra-op threads on the CPU (default: every core, as dgm; Debian's
torch starts with 1 here). Debian's torch runs its matmuls in the system OpenBLAS, whose own
threads multiply with PyTorch's: on the CPU the script sets OPENBLAS_NUM_THREADS=1 unless it is set.
On the CPU glibc's malloc is told to keep freed memory (no mmap, no trim): by default every
tensor over 32 MB is fresh pages from the kernel, and on these VMs the page faults took an
ImageGPT step from 1.4 s to 19 s (dgm keeps its own cache of freed blocks). malloc=default
keeps glibc's defaults."""
import json
import os
import sys
import time

registry_mode = len(sys.argv) > 1 and sys.argv[1].startswith("--")
device = "cpu" if registry_mode else (sys.argv[1] if len(sys.argv) > 1 else "cuda")
steps = int(sys.argv[2]) if len(sys.argv) > 2 and not registry_mode else 50
options = [a for a in sys.argv[3:] if a in ("benchmark", "malloc=default") or a.startswith("threads=")]
wanted = next((a for a in sys.argv[3:] if a not in options), "vae,pixelcnn_stack").split(",")
threads = next((int(a[len("threads="):]) for a in options if a.startswith("threads=")), os.cpu_count())
if registry_mode and "--threads" in sys.argv:
    threads = int(sys.argv[sys.argv.index("--threads") + 1])
keep_freed = device == "cpu" and "malloc=default" not in options and "--malloc-default" not in sys.argv
if keep_freed and os.environ.get("MALLOC_MMAP_MAX_") != "0":
    # glibc and OpenBLAS read these when the process starts, so start again with them set.
    os.environ.update(MALLOC_MMAP_MAX_="0", MALLOC_TRIM_THRESHOLD_=str(1 << 40))
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.execv(sys.executable, [sys.executable] + sys.argv)

import torch  # noqa: E402 (after the restart above)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_mnist import ConvVAE, MaskedConv2d  # noqa: E402

torch.backends.cudnn.benchmark = "benchmark" in options
if device == "cpu":
    torch.set_num_threads(threads)
torch.backends.cuda.matmul.allow_tf32 = False  # dgm computes float32 without TF32
torch.backends.cudnn.allow_tf32 = False


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


class ChannelLayerNorm(nn.LayerNorm):
    def forward(self, x):  # (N,C,H,W): normalize over C
        return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class PixelCNN(nn.Module):
    """Homework 1 and seminar 1 (models/ar/pixelcnn.h): 'A' conv 1 -> C_0, then
    [LN(C_l), ReLU, 'B' conv C_l -> C_l+1], ReLU, 1x1 conv C_n -> levels."""

    def __init__(self, channels=(64, 128, 256, 256, 256), k=5, levels=256):  # homework 1: (64,) * 6, 7, 2
        super().__init__()
        self.levels = levels
        self.input_conv = MaskedConv2d("A", 1, channels[0], k)
        self.norms = nn.ModuleList([ChannelLayerNorm(c) for c in channels[:-1]])
        self.convs = nn.ModuleList([MaskedConv2d("B", a, b, k) for a, b in zip(channels[:-1], channels[1:])])
        self.output_conv = MaskedConv2d("B", channels[-1], levels, 1)

    def loss(self, x):  # x (B,1,H,W) on the 1/(levels-1) grid
        h = self.input_conv((x - 0.5) / 0.5)
        for norm, conv in zip(self.norms, self.convs):
            h = conv(F.relu(norm(h)))
        logits = self.output_conv(F.relu(h))
        return F.cross_entropy(logits, (x * (self.levels - 1)).round().long().squeeze(1))


class TransformerBlock(nn.Module):
    """Pre-LN: a = h + attn(ln1(h)); h' = a + fc2(relu(fc1(ln2(a)))), layout (L, B, E)."""

    def __init__(self, e, heads):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(e), nn.LayerNorm(e)
        self.attn = nn.MultiheadAttention(e, heads)
        self.fc1, self.fc2 = nn.Linear(e, 2 * e), nn.Linear(2 * e, e)

    def forward(self, h, mask):
        n = self.ln1(h)
        a = h + self.attn(n, n, n, attn_mask=mask, need_weights=False)[0]
        return a + self.fc2(F.relu(self.fc1(self.ln2(a))))


class ImageGPT(nn.Module):
    def __init__(self, length=784, e=64, heads=4, layers=2):
        super().__init__()
        self.sos = nn.Parameter(torch.zeros(e))
        self.tok, self.pos = nn.Embedding(2, e), nn.Embedding(length, e)
        self.blocks = nn.ModuleList([TransformerBlock(e, heads) for _ in range(layers)])
        self.norm, self.head = nn.LayerNorm(e), nn.Linear(e, 1, bias=False)

    def loss(self, x):  # x (B, L) in {0,1}
        b, length = x.shape
        h = self.tok(x.long()).transpose(0, 1)  # (L, B, E)
        h = torch.cat([self.sos.view(1, 1, -1).expand(1, b, -1), h[:-1]], 0)
        h = h + self.pos(torch.arange(length, device=x.device)).unsqueeze(1)
        mask = torch.full((length, length), float("-inf"), device=x.device).triu(1)
        for block in self.blocks:
            h = block(h, mask)
        logits = self.head(self.norm(h)).transpose(0, 1).reshape(-1)
        return F.binary_cross_entropy_with_logits(logits, x.reshape(-1))


# ---- registry mode: one JSON line for a registered model's twin ----
# /usr/bin/python3 bench/model_step_torch.py --model NAME --batch B [--steps 5] [--warmup 2] [--threads 2]
# /usr/bin/python3 bench/model_step_torch.py --list-twins     the registry names that have a twin (JSON list)
# The twin takes the training step of `dgm train NAME --preset quick` at batch B (the driver passes the preset's):
# the same network, loss and optimizer (kind, lr, weight decay, gradient clipping, and a GAN's critic/generator
# schedule), on random data of the shape and range of the model's input (dgm's side reads the real files; the step
# time does not depend on the values). Registered models not listed in registry_twin print "no twin".

TWINS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "twins")


def training_step(params, loss_fn, kind="adam", lr=1e-3, weight_decay=0.0, clip=0.0, betas=(0.9, 0.999)):
    """One step as dgm's Optimizers: zero_grad, backward, optional clip to norm `clip`, the optimizer step,
    the loss read back."""
    params = list(params)
    opt = (torch.optim.AdamW if kind == "adamw" else torch.optim.Adam)(params, lr=lr, betas=betas,
                                                                      weight_decay=weight_decay)

    def step():
        loss = loss_fn()
        opt.zero_grad()
        loss.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        return loss.item()

    return step


def binary_images(b, size=28):
    return (torch.rand(b, 1, size, size) > 0.5).float()


def registry_twin(name, b):
    """(step, twin description) for registry model `name` at batch b; None when it has no twin."""
    sys.path.insert(0, TWINS_DIR)
    if name == "vae":
        m, x = ConvVAE(), binary_images(b)
        return training_step(m.parameters(), lambda: m.loss(x)), "ConvVAE (model_step_torch.py)"
    if name in ("pixelcnn", "pixelcnn-gray"):
        top = 1 if name == "pixelcnn" else 255
        m = PixelCNN((64,) * 6, 7, 2) if name == "pixelcnn" else PixelCNN()
        x = (torch.rand(b, 1, 28, 28) * (top + 1)).floor().clamp(0, top) / top
        lr = 1e-3 if name == "pixelcnn" else 5e-3
        return training_step(m.parameters(), lambda: m.loss(x), lr=lr), "PixelCNN (model_step_torch.py)"
    if name == "imagegpt":
        m, tokens = ImageGPT(), binary_images(b).flatten(1)
        return training_step(m.parameters(), lambda: m.loss(tokens)), "ImageGPT, nn.MultiheadAttention"
    if name == "realnvp":
        import realnvp_twin
        m, x = realnvp_twin.RealNVP((28, 28), 1, 16, 1, 2), binary_images(b)
        step = training_step(m.parameters(), lambda: m.loss(x, torch.rand_like(x)), "adamw", 1e-3, 0.01)
        return step, "bench/twins/realnvp_twin.py"
    if name == "resnet-vae":
        import resnet_vae_twin
        m, x = resnet_vae_twin.ConvResNetVAE((1, 28, 28), 16, 1.0, (16, 32)), torch.rand(b, 1, 28, 28) * 2 - 1
        return training_step(m.parameters(), lambda: m.loss(x, torch.randn(b, 16))), "bench/twins/resnet_vae_twin.py"
    if name == "vqvae":
        import vqvae_twin
        m = vqvae_twin.VQVAE({"channels": 32, "latent_dim": 16, "num_embeddings": 128, "beta": 0.25,
                              "ce_loss_scale": 1.0})
        with torch.no_grad():
            m.vq.embedding.weight.uniform_(-1 / 128, 1 / 128)
        x = binary_images(b)
        return training_step(m.parameters(), lambda: m.loss(x), lr=2e-3), "bench/twins/vqvae_twin.py"
    if name == "wgan-gp":
        import wgan_gp_twin
        m = wgan_gp_twin.WGAN_GP({"input_size": 128, "n_channels": 16, "image_channels": 1, "gp_weight": 10.0})
        x = torch.rand(b, 1, 32, 32) * 2 - 1

        def critic_loss():
            with torch.no_grad():
                fake = m.generator(torch.randn(b, 128))
            t = torch.rand(b, 1, 1, 1)
            return m.critic(fake).mean() - m.critic(x).mean() + m.gp_weight * m.gradient_penalty(x, fake, t)

        critic = training_step(m.critic.parameters(), critic_loss, lr=5e-4, betas=(0.0, 0.9))
        generator = training_step(m.generator.parameters(), lambda: m.generator_loss(torch.randn(b, 128)), lr=5e-4,
                                  betas=(0.0, 0.9))
        calls = [0]

        def step():  # dgm's WGAN train_step: the critic every call, the generator every 5th
            calls[0] += 1
            loss = critic()
            return generator() if calls[0] % 5 == 0 else loss

        return step, "bench/twins/wgan_gp_twin.py, 5 critic steps per generator step"
    if name == "ddpm-mnist-cfg":
        import unet_ddpm_twin
        m = unet_ddpm_twin.ConditionalDDPM(unet_ddpm_twin.QUICK_CONFIG)
        x, y = torch.rand(b, 1, 32, 32), torch.randint(0, 10, (b,))

        def loss():
            return m.loss(x, y, torch.randint(0, 1000, (b,)), torch.randn_like(x))

        return training_step(m.parameters(), loss, "adamw", 1e-3, 1e-4, 1.0), "bench/twins/unet_ddpm_twin.py"
    if name == "cfm-mnist":
        import flow_matching_twin
        m = flow_matching_twin.FlowMatching(flow_matching_twin.QUICK_CONFIG)
        x = torch.rand(b, 1, 32, 32)
        step = training_step(m.parameters(), lambda: m.loss(x, torch.randn_like(x), torch.rand(b)), lr=2e-3, clip=1.0)
        return step, "bench/twins/flow_matching_twin.py"
    if name in ("maf-moons", "maf-mnist"):
        import maf_twin
        mnist = name == "maf-mnist"
        m = maf_twin.MAF({"dim": 784 if mnist else 2, "layers": 5, "hidden": [1024] if mnist else [64, 64],
                          "log_sigma_bound": 5.0, "logit_alpha": 0.05 if mnist else 0.0})
        if mnist:
            pixels = torch.randint(0, 256, (b, 1, 28, 28)).float()

            def loss():
                return -m.log_prob(((pixels + torch.rand_like(pixels)) / 256).reshape(b, -1)).mean()

            return training_step(m.parameters(), loss, clip=100.0), "bench/twins/maf_twin.py"
        x = torch.randn(b, 2)
        return training_step(m.parameters(), lambda: -m.log_prob(x).mean()), "bench/twins/maf_twin.py"
    if name == "ddpm-moons":
        import ddpm2d_twin
        m, x = ddpm2d_twin.DDPM({"input_dim": 2, "num_timesteps": 100, "hidden_dim": 128}), torch.randn(b, 2)

        def loss():
            return m.loss(x, torch.randint(0, 100, (b,)), torch.randn_like(x))

        return training_step(m.parameters(), loss, "adamw", 2e-3, 1e-4), "bench/twins/ddpm2d_twin.py"
    return None


TWINNED = ("pixelcnn", "pixelcnn-gray", "imagegpt", "vae", "resnet-vae", "realnvp", "maf-moons", "maf-mnist", "vqvae",
           "wgan-gp", "ddpm-moons", "ddpm-mnist-cfg", "cfm-mnist")  # the names registry_twin knows


def status_bytes(key):
    """A "Vm...:" line of /proc/self/status in bytes: VmRSS the resident set now, VmHWM its peak."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(key + ":"))


def reset_peak_rss():
    """Sets the peak RSS (VmHWM) back to the RSS now, as dgm_model_step does before the model; False if refused."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def registry_main(argv):
    if "--list-twins" in argv:
        print(json.dumps(TWINNED))
        return

    def arg(flag, default):
        return type(default)(argv[argv.index(flag) + 1]) if flag in argv else default

    name, b = arg("--model", ""), arg("--batch", 0)
    steps, warmup = arg("--steps", 5), arg("--warmup", 2)
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    out = {"name": name, "rss_reset": reset_peak_rss(), "start_rss_bytes": status_bytes("VmRSS")}
    twin = registry_twin(name, b) if name in TWINNED else None
    if twin is None:
        out["skipped"] = "no twin"
    else:
        step, out["twin"] = twin
        ms, cpu_ms = [], []
        for i in range(warmup + steps):
            t0, c0 = time.perf_counter(), time.process_time()
            step()
            if i >= warmup:
                cpu_ms.append((time.process_time() - c0) * 1e3)
                ms.append((time.perf_counter() - t0) * 1e3)
        out.update(batch=b, steps=steps, ms_wall=round(sorted(ms)[len(ms) // 2], 3),
                   ms_cpu=round(sorted(cpu_ms)[len(cpu_ms) // 2], 3))
    out.update(peak_rss_bytes=status_bytes("VmHWM"),
               threads=torch.get_num_threads(), load=round(os.getloadavg()[0], 2), torch=torch.__version__)
    print(json.dumps(out), flush=True)


if registry_mode:
    registry_main(sys.argv)
    sys.exit(0)


def time_steps(step):
    """Median wall ms per step; prints first the median CPU ms per step (all threads) and the load average."""
    for _ in range(5):
        step()
    ms, cpu_ms = [], []
    for _ in range(steps):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        cpu_ms.append((time.process_time() - c0) * 1e3)
        ms.append((time.perf_counter() - t0) * 1e3)
    print(f"  (cpu time {sorted(cpu_ms)[len(cpu_ms) // 2]:.3f} ms/step, load average {os.getloadavg()[0]:.2f})")
    return sorted(ms)[len(ms) // 2]


torch.manual_seed(0)
x = (torch.rand(128, 1, 28, 28) > 0.5).float().to(device)
name = torch.cuda.get_device_name() if device == "cuda" else f"cpu, {torch.get_num_threads()} threads, " + (
    "malloc keeps freed memory" if keep_freed else "malloc defaults") + \
    f", OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
print(f"torch {torch.__version__} model_step on {name}, cudnn.benchmark={torch.backends.cudnn.benchmark}")


def optimizer_step(opt, loss_fn):
    """One training step of `opt` on loss_fn(), as a callable for time_steps."""
    def step():
        loss = loss_fn()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def train_step(model, loss_fn):
    return optimizer_step(torch.optim.Adam(model.parameters(), lr=1e-3), loss_fn)


if "vae" in wanted:
    vae = ConvVAE().to(device)
    print(f"vae             {time_steps(train_step(vae, lambda: vae.loss(x))):8.3f} ms/step")
if "pixelcnn_stack" in wanted:
    net = PixelCNNStack().to(device)
    target = x.long().squeeze(1)
    print(f"pixelcnn_stack  {time_steps(train_step(net, lambda: F.cross_entropy(net(x), target))):8.3f} ms/step")
for key, args, top in (("pixelcnn", ((64,) * 6, 7, 2), 1), ("pixelcnn_gray", ((64, 128, 256, 256, 256), 5, 256), 255)):
    if key in wanted:
        model = PixelCNN(*args).to(device)
        images = ((torch.rand(128, 1, 28, 28) * (top + 1)).floor().clamp(0, top) / top).to(device)
        print(f"{key:15s} {time_steps(train_step(model, lambda: model.loss(images))):8.3f} ms/step")
if "imagegpt" in wanted:
    gpt = ImageGPT().to(device)
    tokens = x[:64].flatten(1)
    print(f"imagegpt        {time_steps(train_step(gpt, lambda: gpt.loss(tokens))):8.3f} ms/step")
if "realnvp" in wanted:
    # homework 2's RealNVP, the twin of bench/twins (the same model the differential test compares), as
    # `dgm train realnvp` builds it: 16 filters, 1 gated block, nbins 2, batch 64; fresh dequantization noise per step.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "twins"))
    import realnvp_twin  # noqa: E402

    nvp = realnvp_twin.RealNVP((28, 28), 1, 16, 1, 2).to(device)
    xb = x[:64]
    print(f"realnvp         {time_steps(train_step(nvp, lambda: nvp.loss(xb, torch.rand_like(xb)))):8.3f} ms/step")
if "resnet_vae" in wanted:
    # homework 2's ResNet VAE, the twin of bench/twins, as `dgm train resnet-vae --preset quick` builds it:
    # 1x28x28, widths 16, 32, 16 latents, batch 128 in [-1, 1]; fresh eps per step.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "twins"))
    import resnet_vae_twin  # noqa: E402

    rvae = resnet_vae_twin.ConvResNetVAE((1, 28, 28), 16, 1.0, (16, 32)).to(device)
    xr = (torch.rand(128, 1, 28, 28) * 2 - 1).to(device)
    rvae_step = train_step(rvae, lambda: rvae.loss(xr, torch.randn(128, 16, device=device)))
    print(f"resnet_vae      {time_steps(rvae_step):8.3f} ms/step")
if "vqvae" in wanted:
    # homework 3's VQ-VAE, the twin of bench/twins, as `dgm train vqvae` builds it: K = 128, D = 16, 32 channels,
    # batch 128 (the twin computes total_loss only, not the logged perplexity and pixel error).
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "twins"))
    import vqvae_twin  # noqa: E402

    config = {"channels": 32, "latent_dim": 16, "num_embeddings": 128, "beta": 0.25, "ce_loss_scale": 1.0}
    vqvae = vqvae_twin.VQVAE(config).to(device)
    with torch.no_grad():
        vqvae.vq.embedding.weight.uniform_(-1 / 128, 1 / 128)
    print(f"vqvae           {time_steps(train_step(vqvae, lambda: vqvae.loss(x))):8.3f} ms/step")
if "wgan_gp_critic" in wanted or "wgan_gp_generator" in wanted:
    # homework 3's WGAN-GP, the twin of bench/twins, as `dgm train wgan-gp --preset quick` builds it: width 16,
    # 1x32x32, noise 128, batch 64 in [-1, 1]; Adam (1e-3, betas (0, 0.9)) on the critic or on the generator.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "twins"))
    import wgan_gp_twin  # noqa: E402

    gan = wgan_gp_twin.WGAN_GP({"input_size": 128, "n_channels": 16, "image_channels": 1, "gp_weight": 10.0}).to(device)
    xg = (torch.rand(64, 1, 32, 32) * 2 - 1).to(device)
    critic_opt = torch.optim.Adam(gan.critic.parameters(), lr=1e-3, betas=(0.0, 0.9))
    generator_opt = torch.optim.Adam(gan.generator.parameters(), lr=1e-3, betas=(0.0, 0.9))

    def critic_loss():
        with torch.no_grad():
            fake = gan.generator(torch.randn(64, 128, device=device))
        t = torch.rand(64, 1, 1, 1, device=device)
        return gan.critic(fake).mean() - gan.critic(xg).mean() + gan.gp_weight * gan.gradient_penalty(xg, fake, t)

    if "wgan_gp_critic" in wanted:
        print(f"wgan_gp_critic  {time_steps(optimizer_step(critic_opt, critic_loss)):8.3f} ms/step")
    if "wgan_gp_generator" in wanted:
        generator_step = optimizer_step(generator_opt, lambda: gan.generator_loss(torch.randn(64, 128, device=device)))
        print(f"wgan_gp_generator {time_steps(generator_step):6.3f} ms/step")
if "unet_ddpm" in wanted:
    # homework 5's UNet DDPM, the twin of bench/twins, as `dgm train ddpm-mnist-cfg --preset quick` builds it:
    # hidden 32, multipliers [1, 2, 2], attention from level 1, dropout 0.1, T = 1000, batch 32 with labels; fresh t
    # and noise per step.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "twins"))
    import unet_ddpm_twin  # noqa: E402

    ddpm = unet_ddpm_twin.ConditionalDDPM(unet_ddpm_twin.QUICK_CONFIG).to(device)
    xu = torch.rand(32, 1, 32, 32).to(device)
    yu = torch.randint(0, 10, (32,)).to(device)

    def unet_loss():
        t = torch.randint(0, 1000, (32,), device=device)
        return ddpm.loss(xu, yu, t, torch.randn_like(xu))

    print(f"unet_ddpm       {time_steps(train_step(ddpm, unet_loss)):8.3f} ms/step")
if "cfm_mnist" in wanted:
    # homework 6's flow matching UNet, the twin of bench/twins, as `dgm train cfm-mnist --preset quick` builds it:
    # continuous time, hidden 32, multipliers [1, 2, 2], 1 block, attention from level 1, dropout 0.1, batch 32; fresh
    # noise and t per step.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "twins"))
    import flow_matching_twin  # noqa: E402

    cfm = flow_matching_twin.FlowMatching(flow_matching_twin.QUICK_CONFIG).to(device)
    xc = torch.rand(32, 1, 32, 32).to(device)

    def cfm_loss():
        return cfm.loss(xc, torch.randn_like(xc), torch.rand(32, device=device))

    print(f"cfm_mnist       {time_steps(train_step(cfm, cfm_loss)):8.3f} ms/step")
