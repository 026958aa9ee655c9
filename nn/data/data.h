// dgm::data: data sets, transforms and batching for the course.
//   file formats: nn/data/idx.h (MNIST / Fashion-MNIST), nn/data/cifar.h (CIFAR-10)
//   loaders:      nn/data/mnist.h (load_mnist, load_fashion_mnist), nn/data/cifar.h (load_cifar10)
//   2-D toy sets: nn/data/toy2d.h (make_moons, eight_gaussians, ...)
//   by name:      nn/data/toy_datasets.h (load_toy_dataset("moons"): the course's sets with 80/20 splits)
//   transforms:   nn/data/transforms.h (binarize, scale_01, resize_bilinear, dequantize, ...)
//   batching:     nn/data/dataset.h (TensorDataset), nn/data/dataloader.h (DataLoader)
// Fetch the real data sets with `scripts/fetch-data [mnist|fashion-mnist|all] [--data-dir DIR]`.
#pragma once

#include "nn/data/cifar.h"
#include "nn/data/dataloader.h"
#include "nn/data/dataset.h"
#include "nn/data/file_bytes.h"
#include "nn/data/idx.h"
#include "nn/data/mnist.h"
#include "nn/data/toy2d.h"
#include "nn/data/toy_datasets.h"
#include "nn/data/transforms.h"
