// env_flag (tensor/environment.h): how every DGM_ on/off switch is read.
#include <cstdlib>

#include "tensor/environment.h"
#include "tests/helpers.h"

using namespace dgm;

namespace {
constexpr const char* kName = "DGM_TEST_ENVIRONMENT_FLAG";
}

TEST_CASE("env_flag: unset or empty gives the default, \"0\" is off, anything else is on", "[environment]") {
  ::unsetenv(kName);
  CHECK_FALSE(env_flag(kName));
  CHECK(env_flag(kName, true));
  ::setenv(kName, "", 1);
  CHECK_FALSE(env_flag(kName));
  CHECK(env_flag(kName, true));
  ::setenv(kName, "0", 1);
  CHECK_FALSE(env_flag(kName));
  CHECK_FALSE(env_flag(kName, true));
  for (const char* on : {"1", "yes", "true"}) {
    ::setenv(kName, on, 1);
    CHECK(env_flag(kName));
    CHECK(env_flag(kName, true));
  }
  ::unsetenv(kName);
}
