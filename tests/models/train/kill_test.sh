#!/usr/bin/env bash
# The kill test: a training run (dgm_kill_driver, the test-only model "heavy":
# a 12 MB checkpoint after every step) is killed with SIGKILL at random
# moments, at least 20 times, each time resumed from what the last one left.
# The run first trains two epochs uninterrupted, so every kill has a good
# checkpoint to lose. A kill that lands while a checkpoint is being written leaves its temporary
# (checkpoint.safetensors.tmp-<pid>, nn/io/atomic_file.h) behind: those are counted, and at least 8 must
# have happened (two kills in three wait for a
# save to start and land 0 .. 1.5 ms into it). After every kill the
# checkpoint must open whole (model, optimizer, generator) and never go back;
# at the end a resumed run must continue from the last checkpoint to the end, and
# no temporary of a killed run may be left (each save removes those of dead pids).
#   tests/models/train/kill_test.sh path/to/dgm_kill_driver
set -euo pipefail
driver=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run=$work/run
# Two epochs first, uninterrupted: from then on every kill has a checkpoint to spoil.
"$driver" train "$run" 2 > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
kills=0 during_save=0 last_epoch=2 tries=0
exec {never}<> <(:)  # a pipe nothing is written to: `read -t` on it waits without starting a process
pause() { read -r -t "$1" -u "$never" || true; }
RANDOM=$$  # a different schedule of kills each run; the log says which delays were used
while (( kills < 30 && tries < 200 )); do
  tries=$((tries + 1))
  "$driver" train "$run" 100000 > "$work/log" 2>&1 &
  pid=$!
  # 0.15 .. 0.75 s: past the start and the resume (about 0.1 s), then anywhere in the steps.
  delay=$(printf '0.%03d' $((150 + RANDOM % 600)))
  sleep "$delay"
  if (( tries % 3 != 0 )); then
    # Two kills in three aim at a save: wait (polling, without a process per poll) for the next
    # checkpoint's temporary to appear, then kill 0 .. 1.5 ms into the write.
    # (up to about 20 s: a sanitizer build starts and steps slower)
    for _ in $(seq 1 20000); do
      [[ -e $run/checkpoint.safetensors.tmp-$pid ]] && break
      kill -0 "$pid" 2> /dev/null || break
      pause 0.001
    done
    pause "$(printf '0.%04d' $((RANDOM % 15)))"
    delay="$delay + save"
  fi
  if ! kill -0 "$pid" 2> /dev/null; then
    wait "$pid" || { echo "kill test: the driver failed on its own:"; cat "$work/log"; exit 1; }
    echo "kill test: the run finished before the kill"; exit 1
  fi
  kill -KILL "$pid"
  wait "$pid" 2> /dev/null || true
  kills=$((kills + 1))
  saving=no
  # The killed run's temporary (nn/io/atomic_file.h names it <file>.tmp-<pid>) is left where it
  # was: the next save of that file removes it, since its pid is dead (checked at the end).
  if [[ -e $run/checkpoint.safetensors.tmp-$pid ]]; then
    saving=yes
    during_save=$((during_save + 1))
  fi
  [[ -f $run/checkpoint.safetensors ]] || { echo "kill test: after kill $kills the checkpoint is gone"; exit 1; }
  if ! "$driver" check "$run" > "$work/check" 2>&1; then
    echo "kill test: after kill $kills (${delay} s, during a save: $saving) the checkpoint does not open:"
    cat "$work/check"
    exit 1
  fi
  read -r _ epoch _ step < "$work/check"
  echo "kill $kills after ${delay} s (during a save: $saving): checkpoint at epoch $epoch, step $step"
  # One step per epoch; a checkpoint never goes back.
  [[ $step -eq $epoch ]] || { echo "kill test: epoch $epoch but step $step"; exit 1; }
  (( epoch >= last_epoch )) || { echo "kill test: the checkpoint went back from epoch $last_epoch to $epoch"; exit 1; }
  last_epoch=$epoch
done
(( kills >= 20 )) || { echo "kill test: only $kills kills in $tries tries"; exit 1; }
(( during_save >= 8 )) || { echo "kill test: only $during_save of $kills kills landed during a save"; exit 1; }
# A last resume runs three more epochs to the end, continuing from the last checkpoint.
target=$((last_epoch + 3))
"$driver" train "$run" "$target" > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
grep -q "resuming $run/checkpoint.safetensors after epoch $last_epoch (step $last_epoch)" "$work/log" ||
  { echo "kill test: the last run did not resume after epoch $last_epoch:"; head -5 "$work/log"; exit 1; }
grep -q "finished: $target steps" "$work/log" || { echo "kill test: the last run did not reach step $target"; exit 1; }
"$driver" check "$run" > "$work/check"
read -r _ epoch _ step < "$work/check"
[[ $epoch -eq $target && $step -eq $target ]] || { echo "kill test: ended at epoch $epoch, step $step"; exit 1; }
# The temporaries the killed runs left were removed by the saves after them.
if compgen -G "$run/*.tmp-*" > /dev/null; then
  echo "kill test: stale temporaries remain:"; ls "$run"; exit 1
fi
# The log holds each epoch once, as the checkpoint it was resumed from left it.
[[ $(grep -c '"split":"test"' "$run/metrics.jsonl") -eq $target ]] ||
  { echo "kill test: metrics.jsonl does not hold each of the $target epochs once"; exit 1; }
echo "kill test passed: $kills kills, $during_save during a save; resumed from epoch $last_epoch to $target"
