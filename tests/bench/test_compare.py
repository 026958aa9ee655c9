#!/usr/bin/python3
"""bench/compare --from-json on two hand-written tables (tests/bench/compare/): baseline.json and regressed.json.

In regressed.json, against the baseline (CPU ratios dgm / twin):
  vae       0.5 -> 0.58   +16%: worse by more than 15%, flagged
  imagegpt  2.0 -> 0.8    better, not flagged
  pixelcnn  0.9 -> 1.1    +22%: flagged
  gmm-em    no twin; dgm 10 -> 20 CPU ms: flagged only with --absolute
  wgan-cifar10 skipped in both: listed, never flagged
With --wall the wall ratios decide: vae 0.6 -> 0.9 (+50%) and pixelcnn 1.0 -> 1.1 (+10%): only vae.
A table compared with itself flags nothing. partial.json holds vae (as in the baseline) and glow-mnist (not in the
baseline): glow-mnist is new, the baseline's other four are missing, nothing is flagged."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARE = os.path.join(HERE, "..", "..", "bench", "compare")
BASELINE = os.path.join(HERE, "compare", "baseline.json")
REGRESSED = os.path.join(HERE, "compare", "regressed.json")
failures = []


def run(new, *extra):
    p = subprocess.run(["/usr/bin/python3", COMPARE, "--baseline", BASELINE, "--from-json", new, *extra],
                       capture_output=True, text=True)
    return p.returncode, p.stdout.splitlines()


def flagged(lines):
    return sorted(line.split()[1].rstrip(":") for line in lines if line.startswith("WORSE"))


def expect(what, got, want):
    if got != want:
        failures.append(f"{what}: got {got!r}, want {want!r}")


code, lines = run(REGRESSED)
expect("exit code, regressed", code, 1)
expect("flagged, CPU ratios", flagged(lines), ["pixelcnn", "vae"])
expect("vae's line", next(line for line in lines if " vae:" in line),
       "WORSE    vae: dgm/twin cpu ratio 0.5 -> 0.58 (+16%)")
expect("gmm-em without --absolute", any(line.startswith("no twin  gmm-em") for line in lines), True)
expect("wgan-cifar10", any(line.startswith("skipped  wgan-cifar10") for line in lines), True)

code, lines = run(REGRESSED, "--absolute")
expect("flagged, --absolute", flagged(lines), ["gmm-em", "pixelcnn", "vae"])

code, lines = run(REGRESSED, "--wall")
expect("flagged, --wall", flagged(lines), ["vae"])

code, lines = run(REGRESSED, "--threshold", "0.2")
expect("flagged, threshold 20%", flagged(lines), ["pixelcnn"])

code, lines = run(BASELINE, "--absolute")
expect("exit code, the baseline against itself", code, 0)
expect("flagged, the baseline against itself", flagged(lines), [])

code, lines = run(os.path.join(HERE, "compare", "partial.json"))
expect("exit code, partial", code, 0)
expect("new, partial", [line.split()[1] for line in lines if line.startswith("new")], ["glow-mnist:"])
expect("missing, partial", [line.split()[1] for line in lines if line.startswith("missing")],
       ["gmm-em:", "imagegpt:", "pixelcnn:", "wgan-cifar10:"])

print("\n".join(failures) if failures else "bench/compare: all checks passed")
sys.exit(1 if failures else 0)
