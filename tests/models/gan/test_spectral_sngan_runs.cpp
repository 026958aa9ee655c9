// sngan-mnist (models/gan/sn_dcgan.h) through the training path on a fake MNIST (written here): 2 epochs, finite
// test losses, samples.png, generate() in [0, 1] at 32x32, every critic layer spectrally normalized, and a run
// stopped after one epoch and resumed ends bit-identical to the straight run (the u, v buffers included).
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "dgm.h"
#include "models/gan/sn_dcgan.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "nn/io/safetensors.h"
#include "nn/modules/spectral_norm.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

namespace {

void write_idx(const std::string& path, const std::vector<uint32_t>& dims, const std::vector<uint8_t>& values) {
  std::vector<uint8_t> b{0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  b.insert(b.end(), values.begin(), values.end());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<long>(b.size()));
}

// n fake 28x28 digits: a bright square of side 6 + (i % 9) at the centre, labels i % 10.
void write_fake_mnist(const std::string& dir, const std::string& split, uint32_t n) {
  std::vector<uint8_t> pixels, labels;
  for (uint32_t i = 0; i < n; ++i) {
    labels.push_back(static_cast<uint8_t>(i % 10));
    const int h = 3 + static_cast<int>(i % 9) / 2;
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x) pixels.push_back(std::abs(y - 14) <= h && std::abs(x - 14) <= h ? 230 : 10);
  }
  write_idx(dir + "/" + split + "-images-idx3-ubyte", {n, 28, 28}, pixels);
  write_idx(dir + "/" + split + "-labels-idx1-ubyte", {n}, labels);
}

train::RunConfig small_run(const std::string& out, const std::string& data_dir) {
  train::RunConfig c = test::quiet_run_config("sngan-mnist", out);
  c.data_dir = data_dir;
  c.limit = 32;
  c.test_limit = 16;
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

TEST_CASE("sngan-mnist trains, draws samples in [0, 1] and resumes bit-identically", "[gan][spectral][train]") {
  OneThread one;
  const std::string data_dir = test::fresh_temp_dir("gan_sngan_runs", "data");
  fs::create_directories(data_dir + "/mnist");
  write_fake_mnist(data_dir + "/mnist", "train", 32);
  write_fake_mnist(data_dir + "/mnist", "t10k", 16);
  const std::string straight = test::fresh_temp_dir("gan_sngan_runs", "straight");
  const std::string resumed = test::fresh_temp_dir("gan_sngan_runs", "resumed");
  train::RunConfig a = small_run(straight, data_dir);
  a.epochs = 2;
  train::RunResult r = train::train_run(a);
  for (const std::string& key : {"critic_loss", "generator_loss"}) {
    REQUIRE(r.test.count(key) == 1);
    CHECK(std::isfinite(r.test.at(key)));
  }
  CHECK(fs::exists(straight + "/samples.png"));
  train::RunConfig b = small_run(resumed, data_dir);
  b.samples = 0;
  b.epochs = 1;
  train::train_run(b);
  b.epochs = 2;
  b.resume = true;
  train::train_run(b);
  nn::StateDict x = nn::io::load_safetensors(straight + "/checkpoint.safetensors"),
                y = nn::io::load_safetensors(resumed + "/checkpoint.safetensors");
  REQUIRE(x.size() == y.size());
  CHECK(x.count("model.critic.0.weight_u") + x.count("critic.0.weight_u") == 1);
  for (const auto& [key, t] : x) {
    INFO("checkpoint entry " << key);
    REQUIRE(y.count(key));
    CHECK(t.to_vector<double>() == y.at(key).to_vector<double>());
  }
  train::RestoredRun restored = train::restore_run(straight, Device(kCPU));
  Tensor images = restored.model->generate(3);
  REQUIRE(images.shape() == Shape{3, 1, 32, 32});
  for (double v : images.to_vector<double>()) REQUIRE((v >= 0 && v <= 1));
  fs::remove_all(straight);
  fs::remove_all(resumed);
  fs::remove_all(data_dir);
}

TEST_CASE("SNDCGAN's critic is spectrally normalized throughout and maps 32x32 images to one score",
          "[gan][spectral]") {
  manual_seed(3);
  gan::SNDCGAN model(1, 4, 8);
  int64_t normalized = 0;
  for (const auto& m : model.critic->modules())
    normalized += std::dynamic_pointer_cast<nn::SpectralNormConv2d>(m) != nullptr ||
                  std::dynamic_pointer_cast<nn::SpectralNormLinear>(m) != nullptr;
  CHECK(normalized == 4);  // 3 convolutions and the last linear layer
  CHECK(model.critic_forward(zeros({2, 1, 32, 32})).shape() == Shape{2});
  CHECK(model.sample(2).shape() == Shape{2, 1, 32, 32});
  CHECK_THROWS_WITH(model.loss(Batch(zeros({2, 1, 28, 28}))), Catch::Contains("SNDCGAN::loss: expected images"));
}
