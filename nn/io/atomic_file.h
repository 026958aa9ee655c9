// Crash-safe file writes. Every file dgm::io writes (checkpoints, PNGs, JSON)
// goes through write_file_atomic:
//
//   1. the bytes go to a temporary next to the target, `path + ".tmp-<pid>"`;
//   2. the temporary is fsync'ed (its bytes are on disk, not only in the page cache);
//   3. rename(temporary, path) replaces the target in one step (atomic on POSIX:
//      a reader sees the old file or the new one, never a mix);
//   4. the directory is fsync'ed so the rename itself survives a power cut.
//
// If anything fails (disk full, no permission, an exception half-way), the
// temporary is removed, the previous file at `path` is untouched, and a
// dgm::Error names the path and the system's reason (errno text).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dgm::nn::io {

void write_file_atomic(const std::string& path, std::string_view bytes);
void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes);

// The whole file as bytes; dgm::Error naming the path and errno text if it cannot be read.
std::string read_file(const std::string& path);

// The temporary name write_file_atomic uses for `path` in this process.
std::string temporary_path_for(const std::string& path);

// Removes the temporaries an interrupted write of `path` left behind (a killed
// run): files named exactly `path + ".tmp-<pid>"` whose pid is this process or
// no live process (kill(pid, 0) fails with ESRCH). Temporaries of other files
// and of live processes (another run writing now) are left alone. Best effort:
// returns how many were removed. write_file_atomic calls it before each write.
int remove_stale_temporaries(const std::string& path);

namespace testing {
// Fault injection for tests: the next write_file_atomic call writes only the first
// `bytes` bytes to its temporary, then throws dgm::Error as if the disk had failed.
// One-shot; pass -1 to disarm.
void fail_next_write_after(int64_t bytes);
}  // namespace testing

}  // namespace dgm::nn::io
