// The "stylegan" spec through the training path, small: 2 epochs on a fake MNIST (written here; the real files need
// not be present), its pictures, and a run stopped after one epoch and resumed ending bit-identical to the straight
// run. A test copy of the spec with a short schedule (stage 1 step, fade 2 steps) grows 4 -> 8 -> 16 within the
// 6 steps, so the resume crosses a fade-in: the schedule's step is model state in the checkpoint.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "dgm.h"
#include "models/gan/stylegan.h"
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

// "stylegan-grow-test": the stylegan spec with tiny networks and a schedule of 1 stable and 2 fade steps per stage.
void register_growing_copy() {
  static std::once_flag once;
  std::call_once(once, [] {
    ModelSpec s = find_model("stylegan");
    s.name = "stylegan-grow-test";
    s.make = [](const MakeContext&) {
      gan::StyleGANOptions o;
      o.generator.z_dim = 4;
      o.generator.map_hidden_dim = 8;
      o.generator.w_dim = 4;
      o.generator.channels = {4, 4, 3, 2};
      o.generator.image_channels = 1;
      o.discriminator_channels = {4, 4, 3, 2};
      o.schedule.stage_steps = 1;
      o.schedule.fade_steps = 2;
      o.w_mean_draws = 64;
      return std::make_shared<gan::StyleGAN>(o);
    };
    registry().add(std::move(s));
  });
}

nn::StateDict checkpoint(const std::string& dir) { return nn::io::load_safetensors(dir + "/checkpoint.safetensors"); }

train::RunConfig small_run(const std::string& model, const std::string& out, const std::string& data_dir) {
  train::RunConfig c = test::quiet_run_config(model, out);
  c.data_dir = data_dir;
  c.limit = 48;
  c.test_limit = 16;
  c.batch_size = 16;
  c.samples = 8;
  return c;
}

struct OneThread {
  int saved = get_num_threads();
  OneThread() { set_num_threads(1); }
  ~OneThread() { set_num_threads(saved); }
};

// Trains `model` 2 epochs straight and 1 + 1 resumed; checks finite test losses, the pictures and identical
// checkpoints. Returns the straight run's folder.
std::string train_and_resume(const std::string& model, const std::string& data_dir) {
  const std::string straight = test::fresh_temp_dir("stylegan_runs", model + "_straight");
  const std::string resumed = test::fresh_temp_dir("stylegan_runs", model + "_resumed");
  train::RunConfig a = small_run(model, straight, data_dir);
  a.epochs = 2;
  train::RunResult r = train::train_run(a);
  for (const char* key : {"discriminator_loss", "generator_loss", "r1", "resolution", "alpha"}) {
    INFO(model << " test " << key);
    REQUIRE(r.test.count(key) == 1);
    CHECK(std::isfinite(r.test.at(key)));
  }
  for (const char* p : {"samples.png", "truncation.png", "noise.png"}) {
    INFO(model << " picture " << p);
    CHECK(fs::exists(straight + "/" + p));
  }
  train::RunConfig b = small_run(model, resumed, data_dir);
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

TEST_CASE("stylegan trains, grows, draws its pictures and resumes bit-identically", "[gan][stylegan][train]") {
  OneThread one;  // bit-identical sums need one summation order
  const std::string data_dir = test::fresh_temp_dir("stylegan_runs", "data");
  fs::create_directories(data_dir + "/mnist");
  write_fake_mnist(data_dir + "/mnist", "train", 48);
  write_fake_mnist(data_dir + "/mnist", "t10k", 16);
  register_growing_copy();

  const std::string quick = train_and_resume("stylegan", data_dir);
  fs::remove_all(quick);

  const std::string grown = train_and_resume("stylegan-grow-test", data_dir);
  train::RestoredRun restored = train::restore_run(grown, Device(kCPU));
  auto* model = dynamic_cast<gan::StyleGAN*>(restored.model.get());
  REQUIRE(model != nullptr);
  // 6 steps (3 per epoch) taken: 0 at 4x4, 1-2 fade into 8x8, 3 stable, 4-5 fade into 16x16 (alpha 1/2, 1); the next,
  // step 6, is stage 2 stable: alpha 1 (hand count from the schedule)
  CHECK(model->step() == 6);
  CHECK(model->progress().stage == 2);
  CHECK(model->progress().alpha == 1.0);
  Tensor images = restored.model->generate(3);
  REQUIRE(images.shape() == Shape{3, 1, 32, 32});
  for (double v : images.to_vector<double>()) REQUIRE((v >= 0 && v <= 1));
  Generator gen(1);
  CHECK(model->generate_truncated(2, 0.7, &gen, 1.0).shape() == Shape{2, 1, 32, 32});
  fs::remove_all(grown);
  fs::remove_all(data_dir);
}

TEST_CASE("stylegan's train_step updates the step buffer and both networks", "[gan][stylegan]") {
  manual_seed(6);
  gan::StyleGANOptions o;
  o.generator.z_dim = 4;
  o.generator.map_hidden_dim = 8;
  o.generator.w_dim = 4;
  o.generator.channels = {4, 3};
  o.generator.image_channels = 1;
  o.discriminator_channels = {4, 3};
  o.schedule.stages = 2;
  o.schedule.stage_steps = 1;
  o.schedule.fade_steps = 2;
  o.critic_steps = 2;
  auto model = std::make_shared<gan::StyleGAN>(o);
  train::OptimizerSpec adam;
  adam.beta1 = 0;
  adam.beta2 = 0.9;
  train::Optimizers opt(model->optimizer_groups(), {{"generator", adam}, {"discriminator", adam}});
  Tensor x = rand({4, 1, 8, 8}) * 2.0 - 1.0;
  std::vector<double> g0 = model->generator->to_rgb->at<nn::Conv2d>(0)->weight.to_vector<double>();
  std::vector<double> d0 = model->discriminator->linear->weight.to_vector<double>();
  // call 1 (stage 0): the discriminator only (critic_steps 2); call 2 (stage 1, alpha 1/2): both
  Losses first = model->train_step(Batch(x), opt);
  CHECK(first.count("generator_loss") == 0);
  CHECK(first.at("resolution").item<double>() == 4);
  CHECK(model->discriminator->linear->weight.to_vector<double>() != d0);
  CHECK(model->generator->to_rgb->at<nn::Conv2d>(0)->weight.to_vector<double>() == g0);
  Losses second = model->train_step(Batch(x), opt);
  CHECK(second.count("generator_loss") == 1);
  CHECK(second.at("resolution").item<double>() == 8);
  CHECK(second.at("alpha").item<double>() == 0.5);
  CHECK(model->generator->to_rgb->at<nn::Conv2d>(0)->weight.to_vector<double>() != g0);
  CHECK(model->step() == 2);
  CHECK(opt.steps("discriminator") == 2);
  CHECK(opt.steps("generator") == 1);
  CHECK_THROWS_WITH(model->train_step(Batch(rand({4, 1, 4, 4})), opt),
                    Catch::Contains("StyleGAN: expected real images (B, 1, 8, 8), got (4,1,4,4)"));
}
