#include "models/train/out_path.h"

#include <filesystem>

#include "tensor/error.h"

namespace dgm::models::train {

namespace fs = std::filesystem;

void check_out_path(const std::string& option, const std::string& path, bool is_folder) {
  DGM_CHECK(!path.empty(), option, ": expected a path, got \"\"");
  const fs::path p = fs::path(path).lexically_normal();
  std::error_code ec;
  if (is_folder) {
    DGM_CHECK(!fs::exists(p, ec) || fs::is_directory(p, ec), option, ": ", path,
              " is an existing file, not a folder; give a folder for the run");
  } else {
    DGM_CHECK(!fs::is_directory(p, ec), option, ": ", path, " is a folder; give a file name (e.g. ",
              (p / "samples.png").string(), ")");
  }
  // Every folder above it that exists must be a folder.
  for (fs::path above = p.parent_path(); !above.empty(); above = above.parent_path()) {
    if (fs::exists(above, ec))
      DGM_CHECK(fs::is_directory(above, ec), option, ": ", path, " lies under ", above.string(),
                ", which is a file, not a folder");
    if (above == above.parent_path()) break;
  }
}

}  // namespace dgm::models::train
