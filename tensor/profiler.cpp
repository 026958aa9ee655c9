#include "tensor/profiler.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>

#include "tensor/allocator.h"
#include "tensor/backend/backend.h"  // cuda::synchronize
#include "tensor/environment.h"

namespace dgm::profiler {

std::atomic<bool> detail::enabled{false};

namespace {

struct Record {
  std::mutex mutex;
  std::map<std::string, OpAverage> ops;
  std::map<std::string, NodeAverage> nodes;
  int64_t allocated_mark = 0;  // the allocator's bytes_allocated when the last op ended
};

Record& record() {
  static Record* r = new Record();  // never destroyed: the exit table may print after static destructors
  return *r;
}

thread_local OpScope* current_op = nullptr;  // the innermost op running on this thread

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// CPU time of the whole process (all threads), in ms.
double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) * 1e-6;
}

template <typename Row>
std::vector<Row> by_time(const std::map<std::string, Row>& rows) {
  std::vector<Row> out;
  for (const auto& [name, row] : rows) out.push_back(row);
  std::stable_sort(out.begin(), out.end(), [](const Row& a, const Row& b) { return a.total_ms > b.total_ms; });
  return out;
}

std::string format_row(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string format_row(const char* format, ...) {
  char line[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  return std::string(line) + "\n";
}

// DGM_PROFILE=1: on from the start, the table to stderr at exit.
struct FromEnvironment {
  FromEnvironment() {
    if (!env_flag("DGM_PROFILE")) return;
    enable();
    std::atexit([] { std::fputs(table().c_str(), stderr); });
  }
} from_environment;

}  // namespace

void enable() {
  std::lock_guard<std::mutex> lock(record().mutex);
  record().allocated_mark = cpu_memory_stats().bytes_allocated;
  detail::enabled.store(true, std::memory_order_relaxed);
}

void disable() { detail::enabled.store(false, std::memory_order_relaxed); }

bool is_enabled() { return detail::enabled.load(std::memory_order_relaxed); }

void reset() {
  Record& r = record();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.ops.clear();
  r.nodes.clear();
  r.allocated_mark = cpu_memory_stats().bytes_allocated;
}

std::vector<OpAverage> key_averages() {
  std::lock_guard<std::mutex> lock(record().mutex);
  return by_time(record().ops);
}

std::vector<NodeAverage> backward_averages() {
  std::lock_guard<std::mutex> lock(record().mutex);
  return by_time(record().nodes);
}

std::string table() {
  const std::vector<OpAverage> ops = key_averages();
  const std::vector<NodeAverage> nodes = backward_averages();
  double op_ms = 0, op_cpu_ms = 0, node_ms = 0;
  int64_t op_calls = 0, node_calls = 0, allocated = 0, accessed = 0;
  for (const OpAverage& o : ops) op_ms += o.total_ms, op_calls += o.calls, allocated += o.bytes_allocated;
  for (const OpAverage& o : ops) accessed += o.bytes_accessed, op_cpu_ms += o.cpu_ms;
  for (const NodeAverage& n : nodes) node_ms += n.total_ms, node_calls += n.calls;

  const char* op_format = "%-24s %8s %11s %7s %11s %11s %13s %13s";
  const char* op_row = "%-24s %8lld %11.3f %6.1f%% %11.2f %11.3f %13.2f %13.2f";
  std::string out = "dgm profile: ops (self time; alloc = CPU allocator bytes; accessed = operands' bytes)\n";
  out += format_row(op_format, "op", "calls", "total ms", "%", "mean us", "cpu ms", "alloc MiB", "accessed MiB");
  for (const OpAverage& o : ops) {
    out += format_row(op_row, o.name.c_str(), static_cast<long long>(o.calls), o.total_ms,
                      op_ms > 0 ? 100 * o.total_ms / op_ms : 0.0, 1000 * o.total_ms / static_cast<double>(o.calls),
                      o.cpu_ms, static_cast<double>(o.bytes_allocated) / (1 << 20),
                      static_cast<double>(o.bytes_accessed) / (1 << 20));
  }
  out += format_row(op_row, "total", static_cast<long long>(op_calls), op_ms, op_ms > 0 ? 100.0 : 0.0,
                    op_calls > 0 ? 1000 * op_ms / static_cast<double>(op_calls) : 0.0, op_cpu_ms,
                    static_cast<double>(allocated) / (1 << 20), static_cast<double>(accessed) / (1 << 20));

  const char* node_format = "%-24s %8s %11s %7s %11s";
  const char* node_row = "%-24s %8lld %11.3f %6.1f%% %11.2f";
  out += "\ndgm profile: autograd backward by node (each node's kernels included)\n";
  out += format_row(node_format, "node", "calls", "total ms", "%", "mean us");
  for (const NodeAverage& n : nodes) {
    out += format_row(node_row, n.name.c_str(), static_cast<long long>(n.calls), n.total_ms,
                      node_ms > 0 ? 100 * n.total_ms / node_ms : 0.0, 1000 * n.total_ms / static_cast<double>(n.calls));
  }
  out += format_row(node_row, "total", static_cast<long long>(node_calls), node_ms, node_ms > 0 ? 100.0 : 0.0,
                    node_calls > 0 ? 1000 * node_ms / static_cast<double>(node_calls) : 0.0);
  return out;
}

void OpScope::begin(const char* name, Device device, std::initializer_list<const Tensor*> operands) {
  name_ = name;
  cuda_ = device.is_cuda();
  for (const Tensor* t : operands) {
    if (t->defined()) bytes_accessed_ += t->numel() * static_cast<int64_t>(element_size(t->dtype()));
  }
  parent_ = current_op;
  current_op = this;
  if (cuda_) cuda::synchronize();  // work queued before this op is not its time
  start_cpu_ms_ = process_cpu_ms();
  start_ = std::chrono::steady_clock::now();
}

void OpScope::end() {
  if (cuda_) cuda::synchronize();
  const double ms = ms_since(start_), cpu_ms = process_cpu_ms() - start_cpu_ms_;
  current_op = parent_;
  if (parent_) parent_->child_ms_ += ms, parent_->child_cpu_ms_ += cpu_ms;
  Record& r = record();
  const int64_t allocated = cpu_memory_stats().bytes_allocated;
  std::lock_guard<std::mutex> lock(r.mutex);
  OpAverage& row = r.ops[name_];
  if (row.calls == 0) row.name = name_;
  row.calls++;
  row.total_ms += ms - child_ms_;
  row.cpu_ms += cpu_ms - child_cpu_ms_;
  row.bytes_allocated += allocated - r.allocated_mark;
  row.bytes_accessed += bytes_accessed_;
  r.allocated_mark = allocated;
}

void NodeScope::begin(const char* name) {
  name_ = name;
  start_ = std::chrono::steady_clock::now();
}

void NodeScope::end() {
  const double ms = ms_since(start_);
  Record& r = record();
  std::lock_guard<std::mutex> lock(r.mutex);
  NodeAverage& row = r.nodes[name_];
  if (row.calls == 0) row.name = name_;
  row.calls++;
  row.total_ms += ms;
}

}  // namespace dgm::profiler
