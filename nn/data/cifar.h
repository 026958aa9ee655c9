// CIFAR-10, binary version (cifar-10-binary.tar.gz from the CIFAR site): files
// data_batch_1.bin .. data_batch_5.bin (train, 10000 images each) and
// test_batch.bin, each a sequence of 3073-byte records:
//   1 label byte (0..9), then 3072 pixel bytes: the 1024 red, then the 1024
//   green, then the 1024 blue values of a 32x32 image, rows top to bottom.
// So a record is already CHW. Images come back (N,3,32,32) float32 with values
// 0..255, labels (N) int64, as for MNIST (nn/data/mnist.h).
//
// CIFAR-10 cannot be fetched on these machines (scripts/fetch-data has no
// source for it); users who have it point load_cifar10 at the folder.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nn/data/mnist.h"

namespace dgm::nn::data {

constexpr int64_t kCifarRecordBytes = 1 + 3 * 32 * 32;

// One batch file (raw or gzip'd); its size must be a multiple of 3073 bytes.
ImageSet read_cifar10_batch(const std::string& path);
// The same from bytes already in memory (after gunzip); `name` names them in error messages.
ImageSet parse_cifar10_batch(const std::vector<uint8_t>& bytes, const std::string& name);

// The 50000 train or 10000 test images, looked for in root,
// root/cifar-10-batches-bin, root/cifar10 and root/cifar10/cifar-10-batches-bin.
ImageSet load_cifar10(const std::string& root = default_data_dir(), bool train = true);

}  // namespace dgm::nn::data
