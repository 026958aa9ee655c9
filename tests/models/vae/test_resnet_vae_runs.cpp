// The ResNet VAE's specs through the training path, small: two epochs on a few examples give finite test
// losses and the three pictures (samples, reconstructions, interpolations), and a run stopped after one epoch
// and resumed ends bit-identical to the straight run (model with its batch-norm statistics, optimizer, RNG).
// resnet-vae reads a fake Fashion-MNIST and resnet-vae-cifar10 a fake CIFAR-10, both written here.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "dgm.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "nn/io/safetensors.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

namespace {

void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<long>(b.size()));
}

// An IDX file of unsigned bytes.
void write_idx(const std::string& path, const std::vector<uint32_t>& dims, const std::vector<uint8_t>& values) {
  std::vector<uint8_t> b{0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  b.insert(b.end(), values.begin(), values.end());
  write_bytes(path, b);
}

// Image i of a fake set: a bright square of half-width 3 + (i % 6) at the centre of a dark ramp.
uint8_t pixel(uint32_t i, int c, int y, int x, int size) {
  const int r = 3 + static_cast<int>(i % 6), m = size / 2;
  return std::abs(y - m) <= r && std::abs(x - m) <= r ? static_cast<uint8_t>(180 + (i * 7 + c * 20) % 70)
                                                      : static_cast<uint8_t>((x * 5 + y + c * 9) % 50);
}

void write_fake_fashion_mnist(const std::string& dir, const std::string& split, uint32_t n) {
  std::vector<uint8_t> pixels, labels;
  for (uint32_t i = 0; i < n; ++i) {
    labels.push_back(static_cast<uint8_t>(i % 10));
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x) pixels.push_back(pixel(i, 0, y, x, 28));
  }
  write_idx(dir + "/" + split + "-images-idx3-ubyte", {n, 28, 28}, pixels);
  write_idx(dir + "/" + split + "-labels-idx1-ubyte", {n}, labels);
}

// A CIFAR-10 batch file of n records: a label byte, then the 32x32 red, green and blue planes.
void write_fake_cifar_batch(const std::string& path, uint32_t n, uint32_t first) {
  std::vector<uint8_t> b;
  for (uint32_t i = first; i < first + n; ++i) {
    b.push_back(static_cast<uint8_t>(i % 10));
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) b.push_back(pixel(i, c, y, x, 32));
  }
  write_bytes(path, b);
}

nn::StateDict checkpoint(const std::string& dir) { return nn::io::load_safetensors(dir + "/checkpoint.safetensors"); }

train::RunConfig small_run(const ModelSpec& spec, const std::string& out, const std::string& data_dir) {
  train::RunConfig c = test::quiet_run_config(spec.name, out);
  c.data_dir = data_dir;
  c.limit = 32;
  c.test_limit = 24;
  c.batch_size = 16;
  c.samples = 4;
  return c;
}

struct OneThread {
  int saved = get_num_threads();
  OneThread() { set_num_threads(1); }
  ~OneThread() { set_num_threads(saved); }
};

}  // namespace

TEST_CASE("every ResNet VAE trains, draws its pictures and resumes bit-identically", "[vae][resnet][train]") {
  OneThread one;  // bit-identical sums need one summation order
  const std::string data_dir = test::fresh_temp_dir("resnet_vae_runs", "data");
  fs::create_directories(data_dir + "/fashion-mnist");
  write_fake_fashion_mnist(data_dir + "/fashion-mnist", "train", 32);
  write_fake_fashion_mnist(data_dir + "/fashion-mnist", "t10k", 24);
  fs::create_directories(data_dir + "/cifar10");
  for (int k = 1; k <= 5; ++k)
    write_fake_cifar_batch(data_dir + "/cifar10/data_batch_" + std::to_string(k) + ".bin", 8, 8 * (k - 1));
  write_fake_cifar_batch(data_dir + "/cifar10/test_batch.bin", 24, 100);
  for (const char* name : {"resnet-vae", "resnet-vae-cifar10"}) {
    SECTION(name) {
      const ModelSpec& spec = find_model(name);
      const std::string straight = test::fresh_temp_dir("resnet_vae_runs", spec.name + "_straight");
      const std::string resumed = test::fresh_temp_dir("resnet_vae_runs", spec.name + "_resumed");
      train::RunConfig a = small_run(spec, straight, data_dir);
      a.epochs = 2;
      train::RunResult r = train::train_run(a);
      REQUIRE(r.test.count("elbo_loss") == 1);
      for (const auto& [key, value] : r.test) {
        INFO(spec.name << " test " << key << " = " << value);
        CHECK(std::isfinite(value));
      }
      for (const char* picture : {"samples.png", "reconstructions.png", "interpolations.png"}) {
        INFO(picture);
        CHECK(fs::exists(straight + "/" + picture));
      }
      train::RunConfig b = small_run(spec, resumed, data_dir);
      b.epochs = 1;
      train::train_run(b);
      b.epochs = 2;
      b.resume = true;
      train::train_run(b);
      nn::StateDict x = checkpoint(straight), y = checkpoint(resumed);
      REQUIRE(x.size() == y.size());
      for (const auto& [key, t] : x) {
        INFO(spec.name << " checkpoint entry " << key);
        REQUIRE(y.count(key));
        CHECK(t.to_vector<double>() == y.at(key).to_vector<double>());
      }
      fs::remove_all(straight);
      fs::remove_all(resumed);
    }
  }
  fs::remove_all(data_dir);
}
