// Output paths checked before any work: a run folder or picture that cannot
// be created because an existing file stands where a folder must be.
#pragma once
#include <string>

namespace dgm::models::train {

// A dgm::Error naming `option` when `path` (a folder to create when
// `is_folder`, else a file to write) or a folder above it is an existing file
// that is not a folder; nothing is created.
void check_out_path(const std::string& option, const std::string& path, bool is_folder);

}  // namespace dgm::models::train
