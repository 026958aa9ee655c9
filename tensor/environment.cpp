#include "tensor/environment.h"

#include <cstdlib>
#include <cstring>

namespace dgm {

bool env_flag(const char* name, bool default_value) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return default_value;
  return std::strcmp(v, "0") != 0;
}

}  // namespace dgm
