#include "nn/data/mnist.h"

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
  return read_idx_pair(images, labels);
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
