#include "models/train/architecture.h"

#include <sstream>
#include <vector>

#include "tensor/error.h"

namespace dgm::models::train {

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Leading spaces dropped, for the message.
std::string trimmed(const std::string& line) {
  const size_t first = line.find_first_not_of(' ');
  return first == std::string::npos ? std::string() : line.substr(first);
}

}  // namespace

std::string architecture_of(const nn::Module& model) {
  std::ostringstream os;
  os << model;
  return os.str();
}

void check_architecture(const std::string& who, const std::string& checkpoint,
                        const std::map<std::string, std::string>& metadata, const nn::Module& model) {
  const auto saved_it = metadata.find("architecture");
  if (saved_it == metadata.end()) return;
  const std::string now = architecture_of(model);
  if (saved_it->second == now) return;
  const std::vector<std::string> saved = lines_of(saved_it->second), built = lines_of(now);
  size_t i = 0;
  while (i < saved.size() && i < built.size() && saved[i] == built[i]) ++i;
  const std::string saved_line = i < saved.size() ? trimmed(saved[i]) : "(end)";
  const std::string built_line = i < built.size() ? trimmed(built[i]) : "(end)";
  DGM_FAIL(who, ": ", checkpoint,
           " was trained with another architecture than this dgm builds for its model and "
           "preset; first difference at line ",
           i + 1, ": the checkpoint has `", saved_line, "`, now `", built_line,
           "`. Retrain the run, or use the dgm version that trained it");
}

}  // namespace dgm::models::train
