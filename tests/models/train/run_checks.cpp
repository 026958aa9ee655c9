#include "tests/models/train/run_checks.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "models/registry.h"
#include "nn/io/safetensors.h"
#include "tests/models/train/training_models.h"

namespace fs = std::filesystem;

namespace dgm::test {

namespace {

void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<long>(b.size()));
}

// Channel c of fake CIFAR image i: a bright square of half-width 3 + (i % 6) at the centre of a dark ramp.
uint8_t square_pixel(uint32_t i, int c, int y, int x) {
  const int r = 3 + static_cast<int>(i % 6), m = 16;
  return std::abs(y - m) <= r && std::abs(x - m) <= r ? static_cast<uint8_t>(180 + (i * 7 + c * 20) % 70)
                                                      : static_cast<uint8_t>((x * 5 + y + c * 9) % 50);
}

void write_fake_cifar_batch(const std::string& path, uint32_t n, uint32_t first) {
  std::vector<uint8_t> b;
  for (uint32_t i = first; i < first + n; ++i) {
    b.push_back(static_cast<uint8_t>(i % 10));
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) b.push_back(square_pixel(i, c, y, x));
  }
  write_bytes(path, b);
}

}  // namespace

void write_idx(const std::string& path, const std::vector<uint32_t>& dims, const std::vector<uint8_t>& values) {
  std::vector<uint8_t> b{0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  b.insert(b.end(), values.begin(), values.end());
  write_bytes(path, b);
}

void write_fake_mnist(const std::string& dir, const std::string& split, uint32_t n) {
  std::vector<uint8_t> pixels, labels;
  for (uint32_t i = 0; i < n; ++i) {
    labels.push_back(static_cast<uint8_t>(i % 10));
    const int r = 4 + static_cast<int>(i % 7);
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x)
        pixels.push_back((y - 14) * (y - 14) + (x - 14) * (x - 14) <= r * r ? static_cast<uint8_t>(200 + i % 50)
                                                                            : static_cast<uint8_t>((x * 7 + y) % 40));
  }
  write_idx(dir + "/" + split + "-images-idx3-ubyte", {n, 28, 28}, pixels);
  write_idx(dir + "/" + split + "-labels-idx1-ubyte", {n}, labels);
}

void write_fake_cifar10(const std::string& dir, uint32_t train_per_batch, uint32_t n_test) {
  fs::create_directories(dir);
  for (uint32_t k = 1; k <= 5; ++k)
    write_fake_cifar_batch(dir + "/data_batch_" + std::to_string(k) + ".bin", train_per_batch,
                           train_per_batch * (k - 1));
  write_fake_cifar_batch(dir + "/test_batch.bin", n_test, 100);
}

std::string fake_image_data(const std::string& suite, uint32_t n_train, uint32_t n_test, bool cifar10) {
  const std::string dir = fresh_temp_dir(suite, "data");
  for (const char* set : {"mnist", "fashion-mnist"}) {
    fs::create_directories(dir + "/" + set);
    write_fake_mnist(dir + "/" + set, "train", n_train);
    write_fake_mnist(dir + "/" + set, "t10k", n_test);
  }
  if (cifar10) write_fake_cifar10(dir + "/cifar10", 8, n_test);
  return dir;
}

nn::StateDict load_checkpoint(const std::string& run_dir) {
  return nn::io::load_safetensors(run_dir + "/checkpoint.safetensors");
}

models::train::RunConfig small_run(const std::string& model, const std::string& out, const SmallRun& small) {
  models::train::RunConfig c = quiet_run_config(model, out);
  c.data_dir = small.data_dir.empty() ? c.data_dir : small.data_dir;
  c.from = small.from;
  c.limit = small.limit;
  c.test_limit = small.test_limit;
  if (!models::find_model(model).full_batch) c.batch_size = small.batch_size;
  c.samples = small.samples;
  return c;
}

TrainedRun train_and_resume(const std::string& suite, const std::string& model, const SmallRun& small,
                            const std::vector<std::string>& pictures) {
  TrainedRun run;
  run.dir = fresh_temp_dir(suite, model + "_straight");
  const std::string resumed = fresh_temp_dir(suite, model + "_resumed");
  models::train::RunConfig a = small_run(model, run.dir, small);
  a.epochs = 2;
  run.result = models::train::train_run(a);
  REQUIRE(!run.result.test.empty());
  for (const auto& [key, value] : run.result.test) {
    INFO(model << " test " << key << " = " << value);
    CHECK(std::isfinite(value));
  }
  CHECK(run.result.test.count(run.result.settings.loss_key) == 1);
  for (const std::string& p : pictures) {
    INFO(model << " picture " << p);
    CHECK(fs::exists(run.dir + "/" + p));
  }
  models::train::RunConfig b = small_run(model, resumed, small);
  if (!small.resumed_samples) b.samples = 0;
  b.epochs = 1;
  models::train::train_run(b);
  b.epochs = 2;
  b.resume = true;
  models::train::train_run(b);
  run.checkpoint = load_checkpoint(run.dir);
  nn::StateDict other = load_checkpoint(resumed);
  REQUIRE(run.checkpoint.size() == other.size());
  for (const auto& [key, t] : run.checkpoint) {
    INFO(model << " checkpoint entry " << key);
    REQUIRE(other.count(key));
    CHECK(t.to_vector<double>() == other.at(key).to_vector<double>());
  }
  fs::remove_all(resumed);
  return run;
}

void require_test_keys(const TrainedRun& run, const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    INFO("test " << key);
    REQUIRE(run.result.test.count(key) == 1);
  }
}

}  // namespace dgm::test
