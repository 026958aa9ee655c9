#include "nn/data/cifar.h"

#include <filesystem>

#include "autograd/ops/shape_ops.h"
#include "nn/data/file_bytes.h"
#include "tensor/factories.h"

namespace dgm::nn::data {

ImageSet read_cifar10_batch(const std::string& path) {
  return parse_cifar10_batch(read_file_bytes(path, "read_cifar10_batch"), path);
}

ImageSet parse_cifar10_batch(const std::vector<uint8_t>& b, const std::string& path) {
  const int64_t size = static_cast<int64_t>(b.size());
  DGM_CHECK(size > 0 && size % kCifarRecordBytes == 0, "read_cifar10_batch: '", path, "' has ", size,
            " bytes, not a positive multiple of the record size ", kCifarRecordBytes,
            " (1 label byte + 3x32x32 pixel bytes): truncated or not a CIFAR-10 binary batch");
  const int64_t n = size / kCifarRecordBytes, pixels = kCifarRecordBytes - 1;
  Tensor images = empty({n, 3, 32, 32}, kFloat32);
  Tensor labels = empty({n}, kInt64);
  float* img = images.data_ptr<float>();
  int64_t* lab = labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* rec = b.data() + i * kCifarRecordBytes;
    DGM_CHECK(rec[0] < 10, "read_cifar10_batch: '", path, "': record ", i, " has label ", int(rec[0]),
              ", expected 0..9 (not a CIFAR-10 binary batch?)");
    lab[i] = rec[0];
    for (int64_t j = 0; j < pixels; ++j) img[i * pixels + j] = static_cast<float>(rec[1 + j]);
  }
  return {images, labels};
}

ImageSet load_cifar10(const std::string& root, bool train) {
  namespace fs = std::filesystem;
  const std::vector<fs::path> dirs{root, fs::path(root) / "cifar-10-batches-bin", fs::path(root) / "cifar10",
                                   fs::path(root) / "cifar10" / "cifar-10-batches-bin"};
  std::vector<std::string> names;
  if (train) {
    for (int k = 1; k <= 5; ++k) names.push_back("data_batch_" + std::to_string(k) + ".bin");
  } else {
    names.push_back("test_batch.bin");
  }
  for (const fs::path& dir : dirs) {
    if (!file_exists((dir / names[0]).string())) continue;
    std::vector<Tensor> images, labels;
    for (const std::string& name : names) {
      ImageSet part = read_cifar10_batch((dir / name).string());
      images.push_back(part.images);
      labels.push_back(part.labels);
    }
    if (images.size() == 1) return {images[0], labels[0]};
    return {cat(images, 0), cat(labels, 0)};
  }
  DGM_FAIL("load_cifar10: ", names[0], " not found in '", root, "' (nor in its cifar-10-batches-bin, cifar10 or ",
           "cifar10/cifar-10-batches-bin folders). CIFAR-10 cannot be fetched here: `scripts/fetch-data` has no ",
           "source for it; unpack cifar-10-binary.tar.gz into that folder, or pass the folder that holds it");
}

}  // namespace dgm::nn::data
