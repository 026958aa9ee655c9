#!/usr/bin/python3
"""torch.profiler's table for one model's training steps on the CPU: the PyTorch side of
`DGM_PROFILE=1 dgm_model_step cpu STEPS MODEL` (bench/README.md, Profiling).
  /usr/bin/python3 bench/profile_torch.py MODEL [steps=5] [threads=1] [rows=25]
MODEL: unet_ddpm, cfm_mnist, imagegpt (the twins of bench/model_step_torch.py, the same configurations).
Two warm-up steps run first, unprofiled; then `steps` steps run under torch.profiler (CPU activities, memory),
and key_averages().table(sort_by="self_cpu_time_total") is printed with the ms per step. As model_step_torch.py,
glibc's malloc keeps freed memory and OpenBLAS runs one thread of its own."""
import os
import sys
import time

args = dict(a.split("=", 1) for a in sys.argv[2:] if "=" in a)
model = sys.argv[1] if len(sys.argv) > 1 else "unet_ddpm"
steps, threads, rows = int(args.get("steps", 5)), int(args.get("threads", 1)), int(args.get("rows", 25))
if os.environ.get("MALLOC_MMAP_MAX_") != "0":
    # glibc and OpenBLAS read these when the process starts, so start again with them set.
    os.environ.update(MALLOC_MMAP_MAX_="0", MALLOC_TRIM_THRESHOLD_=str(1 << 40))
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.execv(sys.executable, [sys.executable] + sys.argv)

import torch  # noqa: E402 (after the restart above)
from torch.profiler import ProfilerActivity, profile  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "twins"))

# model_step_torch.py's training_step (Adam, lr 1e-3, as dgm's Optimizers) and ImageGPT, imported with no model
# selected (its import runs none).
sys.argv = [os.path.join(here, "model_step_torch.py"), "cpu", "1", "none", f"threads={threads}"]
sys.path.insert(0, here)
import model_step_torch  # noqa: E402

torch.set_num_threads(threads)  # the import set its own thread count
torch.manual_seed(0)


def adam_step(model, loss_fn):
    return model_step_torch.training_step(model.parameters(), loss_fn)


if model == "unet_ddpm":
    import unet_ddpm_twin

    ddpm = unet_ddpm_twin.ConditionalDDPM(unet_ddpm_twin.QUICK_CONFIG)
    xu, yu = torch.rand(32, 1, 32, 32), torch.randint(0, 10, (32,))
    step = adam_step(ddpm, lambda: ddpm.loss(xu, yu, torch.randint(0, 1000, (32,)), torch.randn_like(xu)))
elif model == "cfm_mnist":
    import flow_matching_twin

    cfm = flow_matching_twin.FlowMatching(flow_matching_twin.QUICK_CONFIG)
    xc = torch.rand(32, 1, 32, 32)
    step = adam_step(cfm, lambda: cfm.loss(xc, torch.randn_like(xc), torch.rand(32)))
elif model == "imagegpt":
    gpt = model_step_torch.ImageGPT()
    tokens = (torch.rand(64, 784) > 0.5).float()
    step = adam_step(gpt, lambda: gpt.loss(tokens))
else:
    sys.exit(f"profile_torch.py: unknown model {model!r} (unet_ddpm, cfm_mnist, imagegpt)")

for _ in range(2):
    step()
with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    ms, cpu_ms = ((time.perf_counter() - t0) * 1e3 / steps, (time.process_time() - c0) * 1e3 / steps)
# torch.profiler's times are wall times: on a loaded machine, compare them scaled by cpu / wall.
print(f"torch {torch.__version__} {model}: {steps} steps under torch.profiler, {ms:.1f} ms/step wall, "
      f"{cpu_ms:.1f} ms/step cpu (all threads), {torch.get_num_threads()} threads, "
      f"load average {os.getloadavg()[0]:.2f}")
print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=rows))
