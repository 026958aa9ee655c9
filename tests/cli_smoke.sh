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
"$dgm" eval "$work/run" --data-dir "$work/data" --iwae 1,5 > "$work/out"  # ConvVAE's IWAE bounds
grep -q '"iwae_5"' "$work/out"
grep -q '"split":"eval"' "$work/run/metrics.jsonl"
if "$dgm" eval "$work/run" --data-dir "$work/data" --iwae 0 2> "$work/err"; then exit 1; fi
grep -q -- "--iwae" "$work/err"
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
grep -qF -- '--device: expected one of cpu, cuda, got "tpu"' "$work/err"

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
# Bad options: one line "dgm <subcommand>: ..." naming the option, a non-zero exit, nothing else printed.
bad() {  # expected-text args...
  local says=$1; shift
  if "$dgm" "$@" > "$work/out" 2> "$work/err"; then echo "accepted: $*"; exit 1; fi
  grep -qF -- "$says" "$work/err" || { echo "no '$says' in: $(cat "$work/err")"; exit 1; }
  [[ $(wc -l < "$work/err") -eq 1 ]] || { echo "more than one line for $*:"; cat "$work/err"; exit 1; }
  grep -q "^dgm $1: " "$work/err" || { echo "not 'dgm $1: ...' for $*: $(cat "$work/err")"; exit 1; }
  [[ ! -s "$work/out" ]] || { echo "printed to stdout for $*:"; cat "$work/out"; exit 1; }
}
d=(--data-dir "$work/data")
bad 'no optimizer "critic"' train vae "${d[@]}" --lr critic=1e-3
bad '--optimizer: expected one of sgd, adam, adamw, rmsprop, got "lbfgs"' train vae "${d[@]}" --optimizer lbfgs
bad 'no preset "huge"' train vae "${d[@]}" --preset huge
bad '--from is for two-stage models' train vae "${d[@]}" --from "$work/run"
bad 'is not conditional' sample "$work/run" --labels 0..9
bad '--momentum: adam has no momentum' train vae "${d[@]}" --momentum 0.9
bad '--lr is given twice' train vae "${d[@]}" --lr 1e-3 --lr 2e-3
bad 'does not read guidance' sample "$work/run" --guidance 3
# Each class of option: the option, its range and the value given.
bad '--epochs: expected an integer >= 1, got 0' train vae "${d[@]}" --epochs 0
bad '--epochs: expected an integer >= 1, got -2' train vae "${d[@]}" --epochs -2
bad '--epochs: expected an integer >= 1, got "two"' train vae "${d[@]}" --epochs two
bad '--batch-size: expected an integer >= 1, got 0' train vae "${d[@]}" --batch-size 0
bad '--batch-size: expected an integer >= 1, got -32' train vae "${d[@]}" --batch-size -32
bad '--lr: expected a finite number > 0, got inf' train vae "${d[@]}" --lr inf
bad '--lr: expected a finite number > 0, got nan' train vae "${d[@]}" --lr nan
bad '--lr: expected a finite number > 0, got 0' train vae "${d[@]}" --lr 0
bad '--lr: expected a finite number > 0, got -0.001' train vae "${d[@]}" --lr -1e-3
bad '--lr (optimizer "model"): expected a finite number > 0, got -1' train vae "${d[@]}" --lr model=-1
bad '--betas B1: expected a finite number in [0, 1), got 1' train vae "${d[@]}" --betas 1,0.9
bad '--betas B2: expected a finite number in [0, 1), got -0.5' train vae "${d[@]}" --betas 0.9,-0.5
bad '--betas: expected B1,B2' train vae "${d[@]}" --betas 0.9
bad '--weight-decay: expected a finite number >= 0, got -0.1' train vae "${d[@]}" --weight-decay -0.1
bad '--momentum: expected a finite number in [0, 1), got -1' train vae "${d[@]}" --optimizer sgd --momentum -1
bad '--clip-grad: expected a finite number >= 0 (0: no clipping), got -1' train vae "${d[@]}" --clip-grad -1
bad '--schedule: expected one of none, step, exponential, cosine, got "linear"' train vae "${d[@]}" --schedule linear
bad '--schedule-unit: expected one of epoch, step, got "epochs"' train vae "${d[@]}" --schedule-unit epochs
bad '--gamma: expected a finite number > 0, got 0' train vae "${d[@]}" --schedule step --gamma 0
bad '--step-size: expected an integer >= 1, got 0' train vae "${d[@]}" --schedule step --step-size 0
bad '--warmup: expected an integer >= 0 (0: none), got -3' train vae "${d[@]}" --warmup -3
bad '--ema: expected a finite number in [0, 1) (0: no EMA), got 1' train vae "${d[@]}" --ema 1
bad '--ema: expected a finite number in [0, 1) (0: no EMA), got nan' train vae "${d[@]}" --ema nan
bad '--limit: expected an integer >= 0 (0: all), got -1' train vae "${d[@]}" --limit -1
bad '--test-limit: expected an integer >= 0 (0: all), got -1' train vae "${d[@]}" --test-limit -1
bad '--seed: expected an integer in [0, 18446744073709551615], got "-1"' train vae "${d[@]}" --seed -1
bad '--seed: expected an integer in [0, 18446744073709551615], got "x"' sample "$work/run" --seed x
bad '--samples: expected an integer in [0, 4096]' train vae "${d[@]}" --samples 3000000000
bad '--threads: expected an integer in [1, ' train vae "${d[@]}" --threads 100000
bad '--threads: expected an integer in [1, ' train vae "${d[@]}" --threads 0
bad '--n: expected an integer in [1, 4096] (at most one 64 x 64 grid), got 3000000000' sample "$work/run" --n 3000000000
bad '--n: expected an integer in [1, 4096] (at most one 64 x 64 grid), got 0' sample "$work/run" --n 0
bad '--guidance: expected a finite number >= 0 (0: none), got -1' sample "$work/run" --guidance -1
bad '--guidance: expected a finite number >= 0 (0: none), got inf' sample "$work/run" --guidance inf
bad '--steps: expected an integer in [0, 100000] (0: the model'"'"'s default), got -1' sample "$work/run" --steps -1
bad '--device: expected one of cpu, cuda, got "tpu"' sample "$work/run" --device tpu
# Command-line syntax errors: CLI11's message on the one line; --help still prints the usage.
bad 'The following argument was not expected: --nosuch' train vae --nosuch
bad 'model is required' train
if "$dgm" > /dev/null 2> "$work/err"; then echo "dgm without a subcommand succeeded"; exit 1; fi
grep -q "^dgm: A subcommand is required" "$work/err"
"$dgm" train --help > "$work/out"
grep -q "Usage:" "$work/out"
grep -q -- "--epochs" "$work/out"
# --out under an existing file: refused before any work, nothing created.
touch "$work/a_file"
bad "--out: $work/a_file/run lies under $work/a_file, which is a file, not a folder" \
  train vae "${d[@]}" --epochs 1 --out "$work/a_file/run"
[[ -f "$work/a_file" && ! -s "$work/a_file" ]]
bad "--out: $work/a_file is an existing file, not a folder" train vae "${d[@]}" --epochs 1 --out "$work/a_file"
bad "--out: $work/a_file/s.png lies under $work/a_file" sample "$work/run" --n 4 --out "$work/a_file/s.png"
# Data: an empty split is an error, not "loss 0.0000".
mkdir -p "$work/empty_data/mnist"
idx_images "$work/empty_data/mnist/train-images-idx3-ubyte" 0
idx_labels "$work/empty_data/mnist/train-labels-idx1-ubyte" 0
cp "$work/data/mnist/t10k-"* "$work/empty_data/mnist/"
bad 'has 0 training and 32 test images; both must be > 0' train vae --data-dir "$work/empty_data" --epochs 1 \
  --out "$work/empty_run"
# Resuming a finished run is an error (exit 1) that says how to extend it, before any data is read.
finished='is finished: it trained 2 epochs and --epochs is 2; to train it further, resume with more epochs'
bad "$finished (--epochs N, N > 2, e.g. --epochs 4)" \
  train vae "${d[@]}" --epochs 2 --batch-size 32 --threads 1 --out "$work/run" --resume
# A data set named that does not match the files: Fashion-MNIST asked for in an MNIST folder (or the other way
# round) is recognized from the files' content; only where the real files are here (scripts/fetch-data).
real_mnist=$(dirname "$0")/../data/mnist
fashion=/usr/share/datasets/fashion-mnist
if [[ -f $real_mnist/train-images-idx3-ubyte ]]; then
  bad "holds MNIST, not fashion-mnist" train vae --data-dir "$real_mnist" --dataset fashion-mnist --epochs 1 \
    --out "$work/mismatch"
else
  echo "skipped: MNIST mismatch check (no data/mnist; scripts/fetch-data mnist)"
fi
if [[ -f $fashion/train-images-idx3-ubyte.gz ]]; then
  bad "holds Fashion-MNIST, not mnist" train vae --data-dir "$fashion" --dataset mnist --epochs 1 \
    --out "$work/mismatch"
else
  echo "skipped: Fashion-MNIST mismatch check (no $fashion; scripts/fetch-data fashion-mnist)"
fi
echo "cli smoke test passed"
