// The per-op profiler, as torch.profiler's key_averages().table(): with it on,
// every backend kernel call (tensor/backend/dispatch.h) is timed and counted
// per op type, and every autograd node's backward (autograd/engine.cpp) per
// node name.
//   DGM_PROFILE=1     on from the start; the table goes to stderr at exit
//   enable() / disable() / reset() / key_averages() / table()   the same, by hand
// Per op: calls, self time (nested ops' time taken out), wall and CPU (the
// process's, all threads: steadier than wall time on a loaded machine), bytes allocated
// (what the CPU caching allocator handed out since the previous op ended: the
// op's outputs, which its front door allocates just before the call, and its
// workspace) and bytes accessed (the sum of its operands' logical sizes,
// numel * element size: what it reads and writes, the memory traffic of
// copies and contiguous() calls). Copies are named by what they do:
// contiguous (strided -> dense), copy (dense -> dense), copy_into_view,
// to_dtype, to_cuda / to_cpu.
// On CUDA the profiler synchronizes the device before and after each op, so
// times are the kernels' own (and a profiled run is slower than a normal one).
// Off, an op pays one relaxed atomic load.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace dgm::profiler {

void enable();
void disable();
bool is_enabled();
void reset();  // forget everything recorded so far

// One row of the op table: one op type.
struct OpAverage {
  std::string name;
  int64_t calls = 0;
  double total_ms = 0;  // self wall time: ops run inside this one are not counted
  double cpu_ms = 0;    // self CPU time of the process (every thread) while it ran
  int64_t bytes_allocated = 0;
  int64_t bytes_accessed = 0;
};
// One row of the backward table: one autograd node name (its kernels included).
struct NodeAverage {
  std::string name;
  int64_t calls = 0;
  double total_ms = 0;
};

// Sorted by total time, longest first.
std::vector<OpAverage> key_averages();
std::vector<NodeAverage> backward_averages();
// Both, as text: "op" and "autograd backward by node" sections, each with a total line.
std::string table();

namespace detail {
extern std::atomic<bool> enabled;
}  // namespace detail

// Times one kernel call while it lives (when the profiler is on). `name` must
// outlive the program (a literal); `operands` are the kernel's inputs and outputs.
class OpScope {
 public:
  OpScope(const char* name, Device device, std::initializer_list<const Tensor*> operands) {
    if (detail::enabled.load(std::memory_order_relaxed)) begin(name, device, operands);
  }
  ~OpScope() {
    if (name_) end();
  }
  OpScope(const OpScope&) = delete;
  OpScope& operator=(const OpScope&) = delete;

 private:
  void begin(const char* name, Device device, std::initializer_list<const Tensor*> operands);
  void end();

  const char* name_ = nullptr;
  bool cuda_ = false;
  int64_t bytes_accessed_ = 0;
  double child_ms_ = 0, child_cpu_ms_ = 0;  // time of the ops run inside this one
  OpScope* parent_ = nullptr;
  std::chrono::steady_clock::time_point start_;
  double start_cpu_ms_ = 0;
};

// Times one autograd node's backward while it lives (when the profiler is on).
class NodeScope {
 public:
  explicit NodeScope(const char* name) {
    if (detail::enabled.load(std::memory_order_relaxed)) begin(name);
  }
  ~NodeScope() {
    if (name_) end();
  }
  NodeScope(const NodeScope&) = delete;
  NodeScope& operator=(const NodeScope&) = delete;

 private:
  void begin(const char* name);
  void end();

  const char* name_ = nullptr;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace dgm::profiler
