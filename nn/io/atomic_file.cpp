#include "nn/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
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

void write_file_atomic(const std::string& path, std::string_view bytes) {
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
