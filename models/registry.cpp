#include "models/registry.h"

#include "models/ar/imagegpt.h"
#include "models/ar/pixelcnn.h"
#include "models/vae/conv_vae.h"
#include "nn/data/mnist.h"
#include "nn/data/transforms.h"

namespace dgm::models {

const std::vector<ModelSpec>& model_specs() {
  static const std::vector<ModelSpec> specs = {
      {"vae", "convolutional VAE, 16-d Gaussian latent, Bernoulli likelihood (homework 2, lecture 4)",
       "negative ELBO, nats per image", {"mnist", "fashion-mnist"}, "binarize: x > 128", 10, 128, 1e-3,
       [] { return std::make_shared<ConvVAE>(16); },
       [](const Tensor& images) { return data::binarize(images); }},
      {"pixelcnn",
       "PixelCNN, masked convolutions: 5 layers x 64 filters, kernel 7, channel layer norm, 2 classes "
       "(homework 1, lecture 1)",
       "cross-entropy, nats per pixel", {"mnist", "fashion-mnist"}, "binarize: x > 128", 10, 128, 1e-3,
       [] { return std::make_shared<PixelCNN>(std::pair<int64_t, int64_t>{28, 28}, 64, 7, 5, true); },
       [](const Tensor& images) { return data::binarize(images); }},
      {"pixelcnn-gray",
       "PixelCNN over 256 gray levels (seminar 1): masked convs widening 64, 128, 256, 256, 256, kernel 5, "
       "channel layer norm, 256 classes",
       "cross-entropy over 256 levels, nats per pixel", {"mnist", "fashion-mnist"}, "scale: x / 255", 10, 128, 5e-3,
       [] {
         return std::make_shared<PixelCNN>(std::pair<int64_t, int64_t>{28, 28},
                                           std::vector<int64_t>{64, 128, 256, 256, 256}, 5, true, 256);
       },
       [](const Tensor& images) { return data::scale_01(images); }},
      {"imagegpt",
       "ImageGPT, causal transformer over the 784 binary pixels: 2 pre-LN blocks, embed 64, 4 heads "
       "(homework 1, lecture 1)",
       "binary cross-entropy, nats per pixel", {"mnist", "fashion-mnist"}, "binarize: x > 128", 10, 64, 1e-3,
       [] { return std::make_shared<ImageGPT>(std::pair<int64_t, int64_t>{28, 28}, 64, 4, 2); },
       [](const Tensor& images) { return data::binarize(images); }},
  };
  return specs;
}

const ModelSpec& find_model(const std::string& name) {
  std::string known;
  for (const ModelSpec& s : model_specs()) {
    if (s.name == name) return s;
    known += (known.empty() ? "" : ", ") + s.name;
  }
  DGM_FAIL("unknown model \"", name, "\"; known models: ", known, " (see `dgm list`)");
}

const std::vector<DatasetSpec>& dataset_specs() {
  static const std::vector<DatasetSpec> specs = {
      {"mnist", "MNIST digits, 60000 train + 10000 test, 1x28x28", "scripts/fetch-data mnist"},
      {"fashion-mnist", "Fashion-MNIST, 60000 train + 10000 test, 1x28x28", "scripts/fetch-data fashion-mnist"},
  };
  return specs;
}

std::pair<Tensor, Tensor> load_images(const std::string& dataset, const std::string& data_dir) {
  if (dataset == "mnist") return {data::load_mnist(data_dir, true).images, data::load_mnist(data_dir, false).images};
  if (dataset == "fashion-mnist")
    return {data::load_fashion_mnist(data_dir, true).images, data::load_fashion_mnist(data_dir, false).images};
  DGM_FAIL("unknown data set \"", dataset, "\"; known: mnist, fashion-mnist (see `dgm list`)");
}

}  // namespace dgm::models
