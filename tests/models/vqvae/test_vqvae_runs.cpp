// The "vqvae" family through the training path, small: the VQ-VAE trains two
// epochs on a fake MNIST (written here; the real files need not be present),
// draws its pictures (samples, reconstructions, code maps), and a run stopped
// after one epoch and resumed ends bit-identical to the straight run; then the
// PixelCNN prior trains the same way on the code maps of that first run
// (--from), its data being one (1,7,7) code map per image.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "dgm.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "models/vqvae/vqvae.h"
#include "tests/models/train/run_checks.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

TEST_CASE("vqvae and vqvae-prior train, draw their pictures and resume bit-identically", "[vqvae][train]") {
  test::OneThread one;
  const std::string data_dir = test::fake_image_data("vqvae_runs");
  REQUIRE(registry().specs_of("vqvae").size() == 2);

  const std::string first = test::train_and_resume("vqvae_runs", "vqvae", {.data_dir = data_dir},
                                                   {"samples.png", "reconstructions.png", "codes.png"})
                                .dir;
  const std::string second = test::train_and_resume("vqvae_runs", "vqvae-prior", {.data_dir = data_dir, .from = first},
                                                    {"samples.png", "codes.png"})
                                 .dir;
  // `dgm sample` on the prior's run: the restored prior decodes its code maps with the restored parent into images
  train::RestoredRun restored = train::restore_run(second, Device(kCPU));
  Tensor images = restored.model->generate(3);
  REQUIRE(images.shape() == Shape{3, 1, 28, 28});
  for (double v : images.to_vector<double>()) REQUIRE((v == 0 || v == 1));
  CHECK_THROWS_WITH(train::train_run(test::small_run("vqvae-prior", second + "_nofrom", {.data_dir = data_dir})),
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
