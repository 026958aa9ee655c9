#include "nn/data/mnist.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "nn/data/file_bytes.h"
#include "nn/data/idx.h"

namespace dgm::nn::data {

namespace {

// The first of dir/stem and dir/stem.gz (for dir in dirs) that exists, or "".
std::string find_file(const std::vector<std::string>& dirs, const std::string& stem) {
  for (const std::string& dir : dirs) {
    for (const char* suffix : {"", ".gz"}) {
      const std::string path = (std::filesystem::path(dir) / (stem + suffix)).string();
      if (file_exists(path)) return path;
    }
  }
  return "";
}

// What tells MNIST and Fashion-MNIST apart, cheaply, from the files' content: the CRC-32 (zlib) of the
// first image's 784 pixel bytes and the first ten labels of each split. Facts measured on the files
// themselves: MNIST as scripts/fetch-data checks it (train images md5 6bbc9ace898e44ae57da46a324031adb,
// t10k 2646ac647ad5339dbf082846283269ea), Fashion-MNIST from the Debian package dataset-fashion-mnist
// 0.0~git20200523.55506a9-1 (/usr/share/datasets/fashion-mnist); the labels agree with the sets'
// READMEs (MNIST's first digit is a 5, Fashion-MNIST's first item an ankle boot, class 9).
struct Fingerprint {
  const char* name;   // the data set's name, as `dgm train --dataset` spells it
  const char* title;  // as people write it
  bool train;
  uint32_t first_image_crc32;
  int64_t first_labels[10];
};
constexpr Fingerprint kFingerprints[] = {
    {"mnist", "MNIST", true, 0x90a92752u, {5, 0, 4, 1, 9, 2, 1, 3, 1, 4}},
    {"mnist", "MNIST", false, 0x7eb3cd06u, {7, 2, 1, 0, 4, 1, 4, 9, 5, 9}},
    {"fashion-mnist", "Fashion-MNIST", true, 0xf270beb5u, {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}},
    {"fashion-mnist", "Fashion-MNIST", false, 0x52830860u, {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}},
};

// The known set whose split the images and labels are, or null (other files, e.g. test fixtures).
const Fingerprint* recognize(const ImageSet& set, bool train) {
  if (set.size() < 1 || set.labels.size(0) < 10 || set.images.size(2) != 28 || set.images.size(3) != 28) return nullptr;
  std::vector<float> pixels = set.images.narrow(0, 0, 1).to_vector<float>();
  std::vector<unsigned char> bytes(pixels.begin(), pixels.end());
  const uint32_t crc = static_cast<uint32_t>(crc32(0L, bytes.data(), static_cast<uInt>(bytes.size())));
  const std::vector<int64_t> labels = set.labels.narrow(0, 0, 10).to_vector<int64_t>();
  for (const Fingerprint& f : kFingerprints)
    if (f.train == train && f.first_image_crc32 == crc && std::equal(labels.begin(), labels.end(), f.first_labels))
      return &f;
  return nullptr;
}

// `name` is the data set's name ("mnist", "fashion-mnist"): the sub-folder and fetch-data's argument.
ImageSet load_idx_dataset(const std::string& who, const std::string& name, const std::string& root, bool train) {
  const std::vector<std::string> dirs{root, (std::filesystem::path(root) / name).string()};
  const std::string split = train ? "train" : "t10k";
  const std::string images_stem = split + "-images-idx3-ubyte", labels_stem = split + "-labels-idx1-ubyte";
  const std::string images = find_file(dirs, images_stem), labels = find_file(dirs, labels_stem);
  const std::string missing = images.empty() ? images_stem : labels_stem;
  DGM_CHECK(!images.empty() && !labels.empty(), who, ": ", missing, "[.gz] not found in '", dirs[0], "' or '", dirs[1],
            "'. Fetch the data set with `scripts/fetch-data ", name, "` (add `--data-dir ", root,
            "` to put it there; the default is data/ in the repository), or pass the folder that holds it",
            " (or set DGM_DATA_DIR)");
  ImageSet set = read_idx_pair(images, labels);
  const Fingerprint* found = recognize(set, train);
  DGM_CHECK(!found || found->name == name, who, ": ", images, " holds ", found ? found->title : "", ", not ", name,
            " (its first image and labels are ", found ? found->title : "", "'s); give the folder of ", name,
            " with --data-dir (`scripts/fetch-data ", name, "` puts it in data/", name, ")");
  return set;
}

}  // namespace

std::string default_data_dir() {
  const char* env = std::getenv("DGM_DATA_DIR");
  return env && *env ? std::string(env) : std::string("data");
}

ImageSet read_idx_pair(const std::string& images_path, const std::string& labels_path) {
  Tensor images = read_idx(images_path, kFloat32);
  Tensor labels = read_idx(labels_path, kInt64);
  DGM_CHECK(images.dim() == 3, "read_idx_pair: '", images_path, "' holds a ", images.dim(),
            "-D tensor, expected images (N,H,W)");
  DGM_CHECK(labels.dim() == 1, "read_idx_pair: '", labels_path, "' holds a ", labels.dim(),
            "-D tensor, expected labels (N)");
  DGM_CHECK(images.size(0) == labels.size(0), "read_idx_pair: ", images.size(0), " images in '", images_path, "' but ",
            labels.size(0), " labels in '", labels_path, "'");
  return {images.unsqueeze(1), labels};
}

ImageSet load_mnist(const std::string& root, bool train) {
  return load_idx_dataset("load_mnist", "mnist", root, train);
}

ImageSet load_fashion_mnist(const std::string& root, bool train) {
  return load_idx_dataset("load_fashion_mnist", "fashion-mnist", root, train);
}

}  // namespace dgm::nn::data
