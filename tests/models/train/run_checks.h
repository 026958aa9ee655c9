// What every family's run test does, written once: fake image data sets in the real files' formats (so the real
// MNIST, Fashion-MNIST or CIFAR-10 need not be present), a small run of a registered model, and the check that a
// run trained 2 epochs straight and one stopped after 1 epoch and resumed end bit-identical (model, optimizers,
// EMA, RNG) after drawing their pictures and finite test losses.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/train/run.h"
#include "nn/state_dict.h"
#include "tensor/parallel.h"

namespace dgm::test {

// An IDX file of unsigned bytes (the MNIST format): magic 0 0 8 ndim, big-endian sizes, then the bytes.
void write_idx(const std::string& path, const std::vector<uint32_t>& dims, const std::vector<uint8_t>& values);

// A fake MNIST-format split of n 28x28 images (<dir>/<split>-images-idx3-ubyte and -labels-idx1-ubyte, split
// "train" or "t10k"): a bright disc of radius 4 + (i % 7) at the centre on a dark background, labels i % 10.
void write_fake_mnist(const std::string& dir, const std::string& split, uint32_t n);

// A fake CIFAR-10 in <dir> (data_batch_1..5.bin of train_per_batch records each, test_batch.bin of n_test):
// a label byte, then 32x32 red, green, blue planes with a bright square at the centre of a dark ramp.
void write_fake_cifar10(const std::string& dir, uint32_t train_per_batch, uint32_t n_test);

// A fresh data folder for `suite` with fake mnist/ and fashion-mnist/ (n_train + n_test images each), and
// cifar10/ (5 x 8 train records, n_test test records) when asked.
std::string fake_image_data(const std::string& suite, uint32_t n_train = 48, uint32_t n_test = 24,
                            bool cifar10 = false);

// The checkpoint of a run folder.
nn::StateDict load_checkpoint(const std::string& run_dir);

// Bit-identical sums need one summation order: one thread while it lives.
struct OneThread {
  int saved = get_num_threads();
  OneThread() { set_num_threads(1); }
  ~OneThread() { set_num_threads(saved); }
};

// A small run's size and inputs.
struct SmallRun {
  std::string data_dir;  // where the (fake) image files are; empty for toy sets
  std::string from;      // the parent run of a second stage
  int64_t limit = 48, test_limit = 24, batch_size = 16, samples = 4;
  bool resumed_samples = true;  // train_and_resume: false for a resumed run that draws no pictures (to be fast)
};

// A quiet run of `model` into `out` sized by `small` (a full-batch model keeps its spec's batch: --batch-size is
// refused for it).
models::train::RunConfig small_run(const std::string& model, const std::string& out, const SmallRun& small);

struct TrainedRun {
  std::string dir;                  // the straight run's folder (the caller removes it)
  models::train::RunResult result;  // its result after 2 epochs
  nn::StateDict checkpoint;         // its checkpoint
};

// Trains `model` 2 epochs straight and 1 + 1 epochs resumed, and checks: test losses present and finite, the loss
// key among them, each of `pictures` in the straight run's folder, the two checkpoints identical entry by entry.
TrainedRun train_and_resume(const std::string& suite, const std::string& model, const SmallRun& small,
                            const std::vector<std::string>& pictures = {"samples.png"});

// Requires each of `keys` among the test losses of `run` (train_and_resume has checked them all finite).
void require_test_keys(const TrainedRun& run, const std::vector<std::string>& keys);

}  // namespace dgm::test
