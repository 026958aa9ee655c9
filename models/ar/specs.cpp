#include "models/ar/specs.h"

#include "models/ar/imagegpt.h"
#include "models/ar/pixelcnn.h"
#include "models/train/presets.h"
#include "nn/data/transforms.h"

namespace dgm::models::ar {

using train::settings;

namespace {

// quick: a slice of MNIST for 2 CPU cores; course: the homework's settings.
TrainSettings quick(int64_t epochs, int64_t batch, double lr, int64_t limit, int64_t test_limit, int64_t samples,
                    std::string expected) {
  TrainSettings t = settings(epochs, batch, lr);
  t.limit = limit;
  t.test_limit = test_limit;
  t.samples = samples;
  t.expected_time = std::move(expected);
  return t;
}

TrainSettings course(int64_t epochs, int64_t batch, double lr, std::string expected) {
  TrainSettings t = settings(epochs, batch, lr);
  t.expected_time = std::move(expected);
  return t;
}

Tensor binarize(const Tensor& images) { return nn::data::binarize(images); }

}  // namespace

void register_models(Registry& r) {
  r.add_family({"ar", "autoregressive models", "lecture 1, homework 1, seminar 1"});
  {
    ModelSpec s;
    s.name = "pixelcnn";
    s.family = "ar";
    s.course = "homework 1";
    s.description = "PixelCNN, masked convolutions: 5 layers x 64 filters, kernel 7, channel layer norm, 2 classes";
    s.loss_unit = "cross-entropy, nats per pixel";
    s.datasets = {"mnist", "fashion-mnist"};
    s.transform = "binarize: x > 128";
    s.presets = {{"quick", quick(1, 128, 1e-3, 20000, 2000, 16,
                                 "8 min on 2 CPU cores, test 0.171, samples not yet digits (measured)")},
                 {"course", course(10, 128, 1e-3, "0.095 after 2 epochs: 16.5 s on an H100 (measured)")}};
    s.make = [](const MakeContext&) {
      return std::make_shared<PixelCNN>(std::pair<int64_t, int64_t>{28, 28}, 64, 7, 5, true);
    };
    s.prepare = binarize;
    r.add(std::move(s));
  }
  {
    ModelSpec s;
    s.name = "pixelcnn-gray";
    s.family = "ar";
    s.course = "seminar 1";
    s.description =
        "PixelCNN over 256 gray levels: masked convs widening 64, 128, 256, 256, 256, kernel 5, "
        "channel layer norm, 256 classes";
    s.loss_unit = "cross-entropy over 256 levels, nats per pixel";
    s.datasets = {"mnist", "fashion-mnist"};
    s.transform = "scale: x / 255";
    // 256-level raster sampling of this network takes minutes on the CPU: no pictures in quick.
    s.presets = {
        {"quick", quick(1, 128, 5e-3, 6400, 1000, 0,
                        "about 6 min on 2 CPU cores, no samples (estimated from the measured 6.1-6.5 s step)")},
        {"course", course(10, 128, 5e-3, "about 8 hours on 2 CPU cores (estimated); not measured on a GPU")}};
    s.make = [](const MakeContext&) {
      return std::make_shared<PixelCNN>(std::pair<int64_t, int64_t>{28, 28},
                                        std::vector<int64_t>{64, 128, 256, 256, 256}, 5, true, 256);
    };
    s.prepare = [](const Tensor& images) { return nn::data::scale_01(images); };
    r.add(std::move(s));
  }
  {
    ModelSpec s;
    s.name = "imagegpt";
    s.family = "ar";
    s.course = "homework 1";
    s.description = "ImageGPT, causal transformer over the 784 binary pixels: 2 pre-LN blocks, embed 64, 4 heads";
    s.loss_unit = "binary cross-entropy, nats per pixel";
    s.datasets = {"mnist", "fashion-mnist"};
    s.transform = "binarize: x > 128";
    s.presets = {
        {"quick",
         quick(1, 64, 1e-3, 6400, 1000, 16, "7.5 min on 2 CPU cores, test 0.2006, samples not yet digits (measured)")},
        {"course", course(10, 64, 1e-3, "about 60 min per epoch on 2 CPU cores (measured); GPU not measured")}};
    s.make = [](const MakeContext&) {
      return std::make_shared<ImageGPT>(std::pair<int64_t, int64_t>{28, 28}, 64, 4, 2);
    };
    s.prepare = binarize;
    r.add(std::move(s));
  }
}

}  // namespace dgm::models::ar
