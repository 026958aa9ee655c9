// The "vqvae" family through the training path, small: the VQ-VAE trains two
// epochs on a fake MNIST (written here; the real files need not be present),
// draws its pictures (samples, reconstructions, code maps), and a run stopped
// after one epoch and resumed ends bit-identical to the straight run; then the
// PixelCNN prior trains the same way on the code maps of that first run
// (--from), its data being one (1,7,7) code map per image.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "dgm.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "models/vqvae/vqvae.h"
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

train::RunConfig small_run(const std::string& model, const std::string& out, const std::string& data_dir,
                           const std::string& from = "") {
  train::RunConfig c = test::quiet_run_config(model, out);
  c.data_dir = data_dir;
  c.from = from;
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

// Trains `model` 2 epochs straight and 1 + 1 resumed; checks finite test losses, the pictures and identical
// checkpoints. Returns the straight run's folder.
std::string train_and_resume(const std::string& model, const std::string& data_dir,
                             const std::vector<std::string>& pictures, const std::string& from = "") {
  const std::string straight = test::fresh_temp_dir("vqvae_runs", model + "_straight");
  const std::string resumed = test::fresh_temp_dir("vqvae_runs", model + "_resumed");
  train::RunConfig a = small_run(model, straight, data_dir, from);
  a.epochs = 2;
  train::RunResult r = train::train_run(a);
  REQUIRE(!r.test.empty());
  for (const auto& [key, value] : r.test) {
    INFO(model << " test " << key << " = " << value);
    CHECK(std::isfinite(value));
  }
  CHECK(r.test.count(r.settings.loss_key) == 1);
  for (const std::string& p : pictures) {
    INFO(model << " picture " << p);
    CHECK(fs::exists(straight + "/" + p));
  }
  train::RunConfig b = small_run(model, resumed, data_dir, from);
  b.epochs = 1;
  train::train_run(b);
  b.epochs = 2;
  b.resume = true;
  train::train_run(b);
  nn::StateDict x = checkpoint(straight), y = checkpoint(resumed);
  REQUIRE(x.size() == y.size());
  for (const auto& [key, t] : x) {
    INFO(model << " checkpoint entry " << key);
    REQUIRE(y.count(key));
    CHECK(t.to_vector<double>() == y.at(key).to_vector<double>());
  }
  fs::remove_all(resumed);
  return straight;
}

}  // namespace

TEST_CASE("vqvae and vqvae-prior train, draw their pictures and resume bit-identically", "[vqvae][train]") {
  OneThread one;  // bit-identical sums need one summation order
  const std::string data_dir = test::fresh_temp_dir("vqvae_runs", "data");
  fs::create_directories(data_dir + "/mnist");
  write_fake_mnist(data_dir + "/mnist", "train", 48);
  write_fake_mnist(data_dir + "/mnist", "t10k", 24);
  REQUIRE(registry().specs_of("vqvae").size() == 2);

  const std::string first = train_and_resume("vqvae", data_dir, {"samples.png", "reconstructions.png", "codes.png"});
  const std::string second = train_and_resume("vqvae-prior", data_dir, {"samples.png", "codes.png"}, first);
  // `dgm sample` on the prior's run: the restored prior decodes its code maps with the restored parent into images
  train::RestoredRun restored = train::restore_run(second, Device(kCPU));
  Tensor images = restored.model->generate(3);
  REQUIRE(images.shape() == Shape{3, 1, 28, 28});
  for (double v : images.to_vector<double>()) REQUIRE((v == 0 || v == 1));
  CHECK_THROWS_WITH(train::train_run(small_run("vqvae-prior", second + "_nofrom", data_dir)),
                    Catch::Contains("--from"));
  fs::remove_all(first);
  fs::remove_all(second);
  fs::remove_all(second + "_nofrom");
  fs::remove_all(data_dir);
}

TEST_CASE("vqvae-prior's data are the parent's code maps, one (1,7,7) map of indices per image", "[vqvae]") {
  manual_seed(5);
  const ModelSpec& spec = find_model("vqvae-prior");
  vqvae::VQVAEModel parent(1.0, 4, 8, {7, 7}, 4);
  Tensor x = bernoulli({5, 1, 28, 28}, 0.4);
  Batch codes = spec.stage_data(parent, Batch(x));
  REQUIRE(codes.x.shape() == Shape{5, 1, 7, 7});
  // the codes are the parent's get_indices, stored as float
  CHECK(codes.x.to_vector<double>() == parent.get_indices(x).to(kFloat64).to_vector<double>());
}
