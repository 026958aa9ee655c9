#!/usr/bin/env bash
# The dgm command end to end on fixture MNIST files written here (random
# pixels, no real data): list, train, sample, eval, resume, and clear errors.
#   tests/cli_smoke.sh path/to/dgm
set -euo pipefail
dgm=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

be32() {  # a 32-bit big-endian integer as raw bytes
  printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(( ($1 >> 24) & 255 )) $(( ($1 >> 16) & 255 )) \
    $(( ($1 >> 8) & 255 )) $(( $1 & 255 )))"
}
idx_images() {  # path n: n random 28x28 images
  { printf '\x00\x00\x08\x03'; be32 "$2"; be32 28; be32 28; head -c $(( $2 * 784 )) /dev/urandom; } > "$1"
}
idx_labels() {  # path n
  { printf '\x00\x00\x08\x01'; be32 "$2"; head -c "$2" /dev/zero; } > "$1"
}
mkdir -p "$work/data/mnist"
idx_images "$work/data/mnist/train-images-idx3-ubyte" 96
idx_labels "$work/data/mnist/train-labels-idx1-ubyte" 96
idx_images "$work/data/mnist/t10k-images-idx3-ubyte" 32
idx_labels "$work/data/mnist/t10k-labels-idx1-ubyte" 32

# Outputs go to files before grep: `grep -q` in a pipe would stop reading early.
"$dgm" list > "$work/out"
grep -q "vae" "$work/out"
"$dgm" train vae --data-dir "$work/data" --epochs 1 --batch-size 32 --threads 1 --out "$work/run" > "$work/train.log"
for f in samples.png reconstructions.png losses.png metrics.jsonl checkpoint.safetensors; do
  [[ -s "$work/run/$f" ]] || { echo "missing $f"; exit 1; }
done
"$dgm" train vae --data-dir "$work/data" --epochs 1 --batch-size 32 --threads 1 --samples 0 --out "$work/run0" \
  > "$work/train0.log"
if [[ ! -s "$work/run0/checkpoint.safetensors" || -e "$work/run0/samples.png" ]]; then
  echo "--samples 0 wrote pictures"
  exit 1
fi
grep -q "final test loss (negative ELBO, nats per image)" "$work/train0.log"
"$dgm" sample "$work/run" --n 4 --out "$work/s.png" > "$work/out"
grep -q "4 samples" "$work/out"
[[ -s "$work/s.png" ]]
"$dgm" eval "$work/run" --data-dir "$work/data" > "$work/out"
grep -q '"examples":32' "$work/out"
"$dgm" train vae --data-dir "$work/data" --epochs 2 --batch-size 32 --threads 1 --out "$work/run" --resume \
  > "$work/out"
grep -q "resuming" "$work/out"
[[ $(grep -c '"split":"test"' "$work/run/metrics.jsonl") -eq 2 ]]
# Errors are one clear line and a non-zero exit, never a crash.
if "$dgm" train vae --data-dir "$work/empty" --epochs 1 2> "$work/err"; then exit 1; fi
grep -q "scripts/fetch-data mnist" "$work/err"
if "$dgm" train nosuchmodel 2> "$work/err"; then exit 1; fi
grep -q "known models" "$work/err"
# --device cuda: trains on the GPU when there is one (then the GPU run folder
# can be sampled on the CPU), and is a clear error when there is none.
if "$dgm" train vae --data-dir "$work/data" --epochs 1 --batch-size 32 --out "$work/gpu" --device cuda \
  > "$work/out" 2> "$work/err"; then
  [[ -s "$work/gpu/samples.png" && -s "$work/gpu/checkpoint.safetensors" ]]
  "$dgm" sample "$work/gpu" --n 4 --out "$work/g.png" --device cpu > "$work/out"
  [[ -s "$work/g.png" ]]
  echo "trained on the GPU"
else
  grep -q "no GPU" "$work/err"
fi
if "$dgm" train vae --data-dir "$work/data" --device tpu 2> "$work/err"; then exit 1; fi
grep -q "cpu or cuda" "$work/err"

# The list groups models by family, with both presets and their expected times.
"$dgm" list > "$work/out"
grep -q "autoregressive models" "$work/out"
grep -q "latent-variable models" "$work/out"
grep -q " quick " "$work/out"
grep -q " course " "$work/out"
grep -q "8gaussians" "$work/out"
# Optimizer, schedule, clipping and EMA from the command line; the run samples with the EMA weights.
"$dgm" train vae --data-dir "$work/data" --epochs 1 --batch-size 32 --threads 1 --samples 0 --out "$work/ema" \
  --optimizer adamw --weight-decay 1e-4 --betas 0.5,0.99 --schedule step --step-size 1 --gamma 0.5 --clip-grad 1 \
  --ema 0.9 > "$work/out"
expected="optimizer model: adamw lr 0.001 betas (0.5, 0.99) weight decay 0.0001 clip 1, step schedule per epoch"
expected+=" (gamma 0.5 every 1)"
grep -qF "$expected" "$work/out"
grep -q "EMA of the weights, decay 0.9" "$work/out"
"$dgm" sample "$work/ema" --n 4 --out "$work/e.png" > "$work/out"
grep -q "(EMA weights)" "$work/out"
# Bad options: one line naming the option, non-zero exit.
bad() {  # expected-text args...
  local says=$1; shift
  if "$dgm" "$@" > /dev/null 2> "$work/err"; then echo "accepted: $*"; exit 1; fi
  grep -q -- "$says" "$work/err" || { echo "no '$says' in: $(cat "$work/err")"; exit 1; }
}
bad 'no optimizer "critic"' train vae --data-dir "$work/data" --lr critic=1e-3
bad 'is not a finite number' train vae --data-dir "$work/data" --lr nan
bad 'unknown optimizer "lbfgs"' train vae --data-dir "$work/data" --optimizer lbfgs
bad '--epochs must be > 0' train vae --data-dir "$work/data" --epochs 0
bad 'no preset "huge"' train vae --data-dir "$work/data" --preset huge
bad '--from is for two-stage models' train vae --data-dir "$work/data" --from "$work/run"
bad 'is not conditional' sample "$work/run" --labels 0..9
bad '--momentum: adam has no momentum' train vae --data-dir "$work/data" --momentum 0.9
bad '--lr is given twice' train vae --data-dir "$work/data" --lr 1e-3 --lr 2e-3
bad 'does not read guidance' sample "$work/run" --guidance 3
bad '--guidance must be' sample "$work/run" --guidance -1
bad 'is finished' train vae --data-dir "$work/data" --epochs 2 --batch-size 32 --threads 1 --out "$work/run" --resume
echo "cli smoke test passed"
