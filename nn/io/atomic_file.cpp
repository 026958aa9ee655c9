#include "nn/io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tensor/error.h"

namespace dgm::nn::io {

namespace {

std::atomic<int64_t> g_fail_after{-1};

std::string errno_text(int err) { return std::strerror(err); }

std::string parent_directory(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Writes all of `bytes` to `fd`, retrying short writes and EINTR. Returns 0 or an errno.
int write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return 0;
}

// Best effort: makes the rename durable. Some file systems refuse fsync on a directory; that is not an error.
void sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string temporary_path_for(const std::string& path) {
  return path + ".tmp-" + std::to_string(static_cast<long long>(::getpid()));
}

int remove_stale_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
  const std::string prefix = fs::path(path).filename().string() + ".tmp-";
  const long long self = static_cast<long long>(::getpid());
  std::error_code ec;
  fs::directory_iterator it(parent_directory(path), ec);
  int removed = 0;
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.size() > 10 || digits.find_first_not_of("0123456789") != std::string::npos || digits[0] == '0') continue;
    const long long pid = std::stoll(digits);
    if (pid > INT_MAX) continue;
    const bool dead = ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
    if (!(pid == self || dead)) continue;
    std::error_code rm;
    if (it->is_regular_file(rm) && fs::remove(it->path(), rm)) ++removed;
  }
  return removed;
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  remove_stale_temporaries(path);
  const std::string tmp = temporary_path_for(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    DGM_FAIL("write_file_atomic: cannot create '", tmp, "' to write '", path, "': ", errno_text(err));
  }
  // From here on, every failure closes and removes the temporary before throwing.
  auto fail = [&](const std::string& step, const std::string& reason) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    DGM_FAIL("write_file_atomic: ", step, " '", path, "' failed: ", reason, " (the previous file is unchanged)");
  };

  int64_t fail_after = g_fail_after.exchange(-1);
  if (fail_after >= 0 && static_cast<size_t>(fail_after) < bytes.size()) {
    if (int err = write_all(fd, bytes.data(), static_cast<size_t>(fail_after))) fail("writing", errno_text(err));
    fail("writing", "injected failure after " + std::to_string(fail_after) + " bytes (nn::io::testing hook)");
  }
  if (int err = write_all(fd, bytes.data(), bytes.size())) fail("writing", errno_text(err));
  if (::fsync(fd) != 0) fail("syncing", errno_text(errno));
  int closed = ::close(fd);
  fd = -1;
  if (closed != 0) fail("closing", errno_text(errno));
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("renaming the temporary over", errno_text(errno));
  sync_directory(parent_directory(path));
}

void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    DGM_FAIL("cannot open '", path, "' for reading: ", errno_text(err));
  }
  std::ostringstream content;
  content << in.rdbuf();
  DGM_CHECK(!in.bad(), "error while reading '", path, "'");
  return content.str();
}

namespace testing {
void fail_next_write_after(int64_t bytes) { g_fail_after.store(bytes); }
}  // namespace testing

}  // namespace dgm::nn::io
