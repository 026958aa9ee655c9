// The WGANs through the training path, small: wgan (clipping, RMSprop) and wgan-gp (Adam (0, 0.9), gradient
// penalty) train two epochs on a fake MNIST (written here; the real files need not be present) resized to 32x32
// in [-1, 1], draw their pictures (samples and the critic's weight histogram), and a run stopped after one epoch
// and resumed ends bit-identical to the straight run (the n_critic cycle is in the checkpoint). The clipped
// critic of the finished run has every weight in [-0.01, 0.01].
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "dgm.h"
#include "models/gan/wgan.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "nn/io/safetensors.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

namespace {

// An IDX file of unsigned bytes.
void write_idx(const std::string& path, const std::vector<uint32_t>& dims, const std::vector<uint8_t>& values) {
  std::vector<uint8_t> b{0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  b.insert(b.end(), values.begin(), values.end());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<long>(b.size()));
}

// A fake MNIST of n images: a bright disc of radius 4 + (i % 7) at the centre on a dark background.
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

train::RunConfig small_run(const std::string& model, const std::string& out, const std::string& data_dir) {
  train::RunConfig c = test::quiet_run_config(model, out);
  c.data_dir = data_dir;
  c.limit = 48;
  c.test_limit = 16;
  c.batch_size = 8;  // 6 steps per epoch: a generator step on calls 5, 10 (n_critic = 5), across the epochs
  c.samples = 4;
  return c;
}

struct OneThread {
  int saved = get_num_threads();
  OneThread() { set_num_threads(1); }
  ~OneThread() { set_num_threads(saved); }
};

}  // namespace

TEST_CASE("wgan and wgan-gp train on 32x32 images in [-1, 1], draw their pictures and resume bit-identically",
          "[gan][wgan][train]") {
  OneThread one;  // bit-identical sums need one summation order
  const std::string data_dir = test::fresh_temp_dir("wgan_runs", "data");
  fs::create_directories(data_dir + "/mnist");
  write_fake_mnist(data_dir + "/mnist", "train", 48);
  write_fake_mnist(data_dir + "/mnist", "t10k", 16);
  const ModelSpec& spec = find_model("wgan");
  Tensor prepared = spec.prepare(full({2, 1, 28, 28}, 255.0));
  CHECK(prepared.shape() == Shape{2, 1, 32, 32});
  CHECK(prepared.min().item() == Approx(1.0));  // 255 -> 1 (the range of the generator's tanh)
  CHECK(spec.prepare(zeros({1, 1, 28, 28})).max().item() == Approx(-1.0));

  for (const std::string model : {"wgan", "wgan-gp"}) {
    INFO(model);
    const std::string straight = test::fresh_temp_dir("wgan_runs", model + "_straight");
    const std::string resumed = test::fresh_temp_dir("wgan_runs", model + "_resumed");
    train::RunConfig a = small_run(model, straight, data_dir);
    a.epochs = 2;
    train::RunResult r = train::train_run(a);
    for (const char* key : {"critic_loss", "critic_loss_fake", "critic_loss_real", "generator_loss"}) {
      INFO("test " << key);
      REQUIRE(r.test.count(key) == 1);
      CHECK(std::isfinite(r.test.at(key)));
    }
    CHECK(r.test.count("gradient_penalty_loss") == (model == "wgan-gp" ? 1u : 0u));
    CHECK(fs::exists(straight + "/samples.png"));
    CHECK(fs::exists(straight + "/critic_weights.png"));
    train::RunConfig b = small_run(model, resumed, data_dir);
    b.epochs = 1;
    train::train_run(b);
    b.epochs = 2;
    b.resume = true;
    train::train_run(b);
    nn::StateDict x = nn::io::load_safetensors(straight + "/checkpoint.safetensors");
    nn::StateDict y = nn::io::load_safetensors(resumed + "/checkpoint.safetensors");
    REQUIRE(x.size() == y.size());
    for (const auto& [key, t] : x) {
      INFO("checkpoint entry " << key);
      REQUIRE(y.count(key));
      CHECK(t.to_vector<double>() == y.at(key).to_vector<double>());
    }
    CHECK(x.at("model.calls").item<int64_t>() == 12);
    // the restored run: generate() gives images in [0, 1]; a clipped critic stays in the box
    train::RestoredRun restored = train::restore_run(straight, Device(kCPU));
    Tensor images = restored.model->generate(3);
    REQUIRE(images.shape() == Shape{3, 1, 32, 32});
    CHECK(images.min().item() >= 0.0);
    CHECK(images.max().item() <= 1.0);
    if (model == "wgan") {
      auto wgan = std::dynamic_pointer_cast<gan::WGAN>(restored.model);
      REQUIRE(wgan);
      for (const Tensor& p : wgan->critic->parameters()) CHECK(p.abs().max().item() <= 0.01);
    }
    fs::remove_all(resumed);
    fs::remove_all(straight);
  }
  fs::remove_all(data_dir);
}
