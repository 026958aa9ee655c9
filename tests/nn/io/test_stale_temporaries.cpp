// Temporaries left by interrupted saves (`<name>.tmp-<pid>`, nn/io/atomic_file.h)
// are removed when the same file is written again, if their process is gone.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "tests/helpers.h"

using namespace dgm;
namespace fs = std::filesystem;

namespace {

// The pid of a child that has exited and been reaped: no live process has it (until the system reuses it).
pid_t dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

void touch(const fs::path& p) { std::ofstream(p) << "partial"; }

}  // namespace

TEST_CASE("stale temporaries of the file being written are removed, others kept", "[io][atomic]") {
  const fs::path dir = fs::temp_directory_path() / ("dgm_test_stale_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string target = (dir / "model.safetensors").string();
  const std::string dead = std::to_string(dead_pid());
  const std::string live = std::to_string(::getppid());  // the process that started the tests is alive

  touch(target + ".tmp-" + dead);                        // interrupted save of this file: removed
  touch(target + ".tmp-" + std::to_string(::getpid()));  // our own, left by an earlier failure: removed
  touch(target + ".tmp-" + live);                        // another process saving now: kept
  touch(dir / ("other.safetensors.tmp-" + dead));        // another file's temporary: kept
  touch(target + ".tmp-" + dead + "x");                  // not our naming pattern: kept
  touch(target + ".tmp-0" + dead);                       // nor this (a pid has no leading zero)
  touch(dir / ("xmodel.safetensors.tmp-" + dead));       // a name that only ends like ours: kept

  nn::io::write_file_atomic(target, std::string("new"));

  std::set<std::string> left;
  for (const auto& e : fs::directory_iterator(dir)) left.insert(e.path().filename().string());
  const std::set<std::string> expected{"model.safetensors",
                                       "model.safetensors.tmp-" + live,
                                       "other.safetensors.tmp-" + dead,
                                       "model.safetensors.tmp-" + dead + "x",
                                       "model.safetensors.tmp-0" + dead,
                                       "xmodel.safetensors.tmp-" + dead};
  CHECK(left == expected);
  CHECK(nn::io::read_file(target) == "new");
  // Nothing stale is left for a second call to remove.
  CHECK(nn::io::remove_stale_temporaries(target) == 0);
  fs::remove_all(dir);
}
