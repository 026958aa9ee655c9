// The MLP VAEs of seminar 5 (models/vae/mlp_vae_specs.cpp) through the training path, small: two epochs on a
// few examples draw the pictures, give finite test losses, and a run stopped after one epoch and resumed ends
// bit-identical to the straight run (model, optimizer, RNG). MNIST models read a fake MNIST written here (the
// pattern of tests/models/flows/test_flow_runs.cpp), the 2-D models their generated sets.
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

// An IDX file of unsigned bytes.
void write_idx(const std::string& path, const std::vector<uint32_t>& dims, const std::vector<uint8_t>& values) {
  std::vector<uint8_t> b{0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  b.insert(b.end(), values.begin(), values.end());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<long>(b.size()));
}

// A fake MNIST of n images: a bright disc of radius 4 + (i % 7) at the centre on a dark background, labels i % 10.
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

nn::StateDict checkpoint(const std::string& dir) { return nn::io::load_safetensors(dir + "/checkpoint.safetensors"); }

train::RunConfig small_run(const ModelSpec& spec, const std::string& out, const std::string& data_dir) {
  train::RunConfig c = test::quiet_run_config(spec.name, out);
  c.data_dir = data_dir;
  c.limit = 48;
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

TEST_CASE("every MLP VAE trains, draws its pictures and resumes bit-identically", "[vae][mlp_vae][train]") {
  OneThread one;  // bit-identical sums need one summation order
  const std::string data_dir = test::fresh_temp_dir("mlp_vae_runs", "data");
  fs::create_directories(data_dir + "/mnist");
  write_fake_mnist(data_dir + "/mnist", "train", 48);
  write_fake_mnist(data_dir + "/mnist", "t10k", 24);
  const std::vector<std::string> names = {"vae-2d-rotated", "vae-2d-aligned", "vae-2d-collapse", "vae-mnist-2d",
                                          "beta-vae-0",     "beta-vae-4",     "iwae-mnist"};
  for (const std::string& name : names) {
    SECTION(name) {
      const ModelSpec& spec = registry().find(name);
      const std::string straight = test::fresh_temp_dir("mlp_vae_runs", name + "_straight");
      const std::string resumed = test::fresh_temp_dir("mlp_vae_runs", name + "_resumed");
      train::RunConfig a = small_run(spec, straight, data_dir);
      a.epochs = 2;
      train::RunResult r = train::train_run(a);
      REQUIRE(!r.test.empty());
      for (const auto& [key, value] : r.test) {
        INFO(name << " test " << key << " = " << value);
        CHECK(std::isfinite(value));
      }
      CHECK(r.test.count(r.settings.loss_key) == 1);
      CHECK(fs::exists(straight + "/samples.png"));
      if (spec.datasets.front() == "mnist") {
        CHECK(fs::exists(straight + "/latent.png"));
        CHECK(fs::exists(straight + "/latent_grid.png"));
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
        INFO(name << " checkpoint entry " << key);
        REQUIRE(y.count(key));
        CHECK(t.to_vector<double>() == y.at(key).to_vector<double>());
      }
      fs::remove_all(straight);
      fs::remove_all(resumed);
    }
  }
  fs::remove_all(data_dir);
}
