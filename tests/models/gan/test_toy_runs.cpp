// Every toy GAN (gan-1d ... sngan-ring) through the training path, small: 2 epochs on a few hundred points of
// its toy set, finite test losses, the pictures (of four of them), and a run stopped after one epoch and resumed
// ends bit-identical to the straight run (the pattern of tests/models/vqvae/test_vqvae_runs.cpp).
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "dgm.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "nn/io/safetensors.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

namespace {

nn::StateDict checkpoint(const std::string& dir) { return nn::io::load_safetensors(dir + "/checkpoint.safetensors"); }

train::RunConfig small_run(const std::string& model, const std::string& out) {
  train::RunConfig c = test::quiet_run_config(model, out);
  c.limit = 96;
  c.test_limit = 64;
  c.batch_size = 32;
  c.samples = 32;
  return c;
}

struct OneThread {
  int saved = get_num_threads();
  OneThread() { set_num_threads(1); }
  ~OneThread() { set_num_threads(saved); }
};

}  // namespace

TEST_CASE("the toy GANs train, draw their pictures and resume bit-identically", "[gan][toy][train]") {
  OneThread one;  // bit-identical sums need one summation order
  const std::vector<std::string> models{"gan-1d",          "nsgan-1d",      "gan-ring",          "nsgan-ring",
                                        "gan-ring-c5",     "nsgan-ring-c5", "wgan-ring",         "wgan-gp-ring",
                                        "wgan-gp-ring-c1", "fgan-kl-ring",  "fgan-pearson-ring", "sngan-ring"};
  // every toy model of the family is here
  int64_t toy = 0;
  for (const ModelSpec* s : registry().specs_of("gan"))
    toy += s->name.find("-1d") != std::string::npos || s->name.find("-ring") != std::string::npos;
  CHECK(toy == static_cast<int64_t>(models.size()));
  for (const std::string& model : models) {
    INFO("model " << model);
    const bool ring = model.find("ring") != std::string::npos;
    const std::string straight = test::fresh_temp_dir("gan_toy_runs", model + "_straight");
    const std::string resumed = test::fresh_temp_dir("gan_toy_runs", model + "_resumed");
    // the pictures (critic maps on a 200x200 grid) for one model of each kind, to keep the test fast
    const bool pictures = model == "gan-1d" || model == "nsgan-ring" || model == "wgan-ring" || model == "sngan-ring";
    train::RunConfig a = small_run(model, straight);
    if (!pictures) a.samples = 0;
    a.epochs = 2;
    train::RunResult r = train::train_run(a);
    for (const std::string& key : {"critic_loss", "generator_loss"}) {
      REQUIRE(r.test.count(key) == 1);
      CHECK(std::isfinite(r.test.at(key)));
    }
    if (ring) {
      REQUIRE(r.test.count("modes") == 1);
      CHECK(r.test.at("modes") >= 0);
      CHECK(r.test.at("modes") <= 8);
    }
    if (pictures) {
      for (const char* p : {"samples.png", "critic.png", "critic_weights.png"}) {
        INFO("picture " << p);
        CHECK(fs::exists(straight + "/" + p));
      }
      if (ring) CHECK(fs::exists(straight + "/critic_grad_norm.png"));
    }
    train::RunConfig b = small_run(model, resumed);
    b.samples = 0;  // no pictures (drawn from their own generator, in eval mode: they change no state)
    b.epochs = 1;
    train::train_run(b);
    b.epochs = 2;
    b.resume = true;
    train::train_run(b);
    nn::StateDict x = checkpoint(straight), y = checkpoint(resumed);
    REQUIRE(x.size() == y.size());
    for (const auto& [key, t] : x) {
      INFO("checkpoint entry " << key);
      REQUIRE(y.count(key));
      CHECK(t.to_vector<double>() == y.at(key).to_vector<double>());
    }
    fs::remove_all(straight);
    fs::remove_all(resumed);
  }
}
