// MNIST and Fashion-MNIST, as torchvision.datasets.MNIST / FashionMNIST hold
// them: images (N,1,28,28) with the raw pixel values 0..255 as float32 (dgm
// has no uint8; apply a transform from nn/data/transforms.h) and labels (N) int64.
//
//   auto train = dgm::nn::data::load_mnist("data");           // 60000 images
//   auto test = dgm::nn::data::load_mnist("data", false);     // 10000 images
//   Tensor x = dgm::nn::data::binarize(train.images);
//
// The files are looked for in `root` and in root/mnist (root/fashion-mnist),
// raw or gzip'd: train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
// t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]. `scripts/fetch-data`
// puts them in data/mnist and data/fashion-mnist; when they are missing the
// error says so and names that command.
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace dgm::nn::data {

// Images (N,C,H,W) float32 with values 0..255, and labels (N) int64.
struct ImageSet {
  Tensor images;
  Tensor labels;
  int64_t size() const { return images.defined() ? images.size(0) : 0; }
};

// $DGM_DATA_DIR when set, else "data" (relative to the working directory).
std::string default_data_dir();

ImageSet load_mnist(const std::string& root = default_data_dir(), bool train = true);
ImageSet load_fashion_mnist(const std::string& root = default_data_dir(), bool train = true);

// Reads one images file and one labels file (IDX, raw or gzip'd) and checks
// that they fit: images (N,H,W) -> (N,1,H,W), labels (N).
ImageSet read_idx_pair(const std::string& images_path, const std::string& labels_path);

}  // namespace dgm::nn::data
