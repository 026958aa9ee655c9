// The per-op profiler (tensor/profiler.h): call counts, bytes allocated and
// accessed per op type, worked out by hand from the shapes; the backward's
// nodes; on, off and reset.
#include <map>
#include <string>

#include "tests/helpers.h"

using namespace dgm;

namespace {

// The profiler on and emptied while it lives, off after (also when a check throws).
struct Profiling {
  Profiling() {
    profiler::enable();
    profiler::reset();
  }
  ~Profiling() {
    profiler::disable();
    profiler::reset();
  }
};

std::map<std::string, profiler::OpAverage> ops_by_name() {
  std::map<std::string, profiler::OpAverage> out;
  for (const profiler::OpAverage& o : profiler::key_averages()) out[o.name] = o;
  return out;
}

std::map<std::string, profiler::NodeAverage> nodes_by_name() {
  std::map<std::string, profiler::NodeAverage> out;
  for (const profiler::NodeAverage& n : profiler::backward_averages()) out[n.name] = n;
  return out;
}

}  // namespace

TEST_CASE("the profiler counts each op type's calls and bytes", "[profiler]") {
  // Made before profiling starts: only the ops below are recorded.
  const Tensor x = randn({3, 5});                     // float32, 60 bytes
  const Tensor a = randn({4, 6}), b = randn({6, 7});  // 96 and 168 bytes
  Profiling on;
  for (int i = 0; i < 3; ++i) (void)exp(x);
  for (int i = 0; i < 2; ++i) (void)matmul(a, b);  // (4, 7): 112 bytes
  const Tensor at = a.t().contiguous();            // (6, 4) from a strided view
  const auto ops = ops_by_name();
  REQUIRE(ops.size() == 3);
  REQUIRE(ops.count("exp") == 1);
  REQUIRE(ops.count("matmul") == 1);
  REQUIRE(ops.count("contiguous") == 1);

  // exp reads x and writes its output, 60 bytes each; the allocator hands out 64 (the 64-byte class).
  CHECK(ops.at("exp").calls == 3);
  CHECK(ops.at("exp").bytes_accessed == 3 * (60 + 60));
  CHECK(ops.at("exp").bytes_allocated == 3 * 64);
  // matmul reads a and b, writes (4, 7); its output takes the 128-byte class.
  CHECK(ops.at("matmul").calls == 2);
  CHECK(ops.at("matmul").bytes_accessed == 2 * (96 + 168 + 112));
  CHECK(ops.at("matmul").bytes_allocated == 2 * 128);
  // contiguous() of a^T reads the view and writes a dense (6, 4) copy.
  CHECK(ops.at("contiguous").calls == 1);
  CHECK(ops.at("contiguous").bytes_accessed == 96 + 96);
  CHECK(ops.at("contiguous").bytes_allocated == 128);
  for (const auto& [name, o] : ops) {
    CHECK(o.total_ms >= 0);
    CHECK(o.cpu_ms >= 0);
  }
  CHECK(at.is_contiguous());
}

TEST_CASE("the profiler names copies by what they do", "[profiler]") {
  const Tensor x = randn({2, 3}), big = zeros({2, 6});
  Profiling on;
  (void)x.clone();                                      // dense -> dense
  (void)x.to(kFloat64);                                 // a dtype conversion
  big.narrow(1, 0, 3).copy_(x);                         // into a strided view
  (void)x.t().contiguous();                             // strided -> dense
  (void)x.unsqueeze(0).expand({4, 2, 3}).contiguous();  // a broadcast materialized
  const auto ops = ops_by_name();
  CHECK(ops.size() == 4);
  CHECK(ops.count("copy") == 1);
  CHECK(ops.count("to_dtype") == 1);
  CHECK(ops.count("copy_into_view") == 1);
  REQUIRE(ops.count("contiguous") == 1);
  CHECK(ops.at("contiguous").calls == 2);
  // Logical sizes: the broadcast view reads as 4 * 24 bytes, written as 96.
  CHECK(ops.at("contiguous").bytes_accessed == (24 + 24) + (96 + 96));
}

TEST_CASE("the profiler names reductions, softmax and binary ops", "[profiler]") {
  const Tensor x = randn({4, 5});
  Profiling on;
  (void)x.sum();
  (void)x.amax({1});
  (void)softmax(x, 1);
  (void)log_softmax(x, 1);
  (void)(x * x);
  (void)(x + x);
  (void)x.cumsum(0);
  const auto ops = ops_by_name();
  for (const char* name : {"sum", "amax", "softmax", "log_softmax", "mul", "add", "cumsum"}) {
    INFO(name);
    REQUIRE(ops.count(name) == 1);
    CHECK(ops.at(name).calls == 1);
  }
}

TEST_CASE("a disabled profiler records nothing, reset clears it", "[profiler]") {
  const Tensor x = randn({8}).requires_grad_();
  profiler::disable();
  profiler::reset();
  CHECK_FALSE(profiler::is_enabled());
  exp(x).sum().backward();
  CHECK(profiler::key_averages().empty());
  CHECK(profiler::backward_averages().empty());
  {
    Profiling on;
    CHECK(profiler::is_enabled());
    (void)exp(x);
    CHECK(profiler::key_averages().size() == 1);
    profiler::reset();
    CHECK(profiler::key_averages().empty());
    CHECK(profiler::is_enabled());  // reset keeps it on
  }
  CHECK_FALSE(profiler::is_enabled());
}

TEST_CASE("the backward section counts each autograd node", "[profiler]") {
  const Tensor w = randn({3, 4}).requires_grad_();
  const Tensor x = randn({2, 3});
  Profiling on;
  // Nodes: matmul, exp twice, sum; each runs its backward once per pass.
  Tensor loss = exp(exp(matmul(x, w))).sum();
  loss.backward();
  const auto nodes = nodes_by_name();
  REQUIRE(nodes.size() == 3);
  REQUIRE(nodes.count("exp") == 1);
  REQUIRE(nodes.count("matmul") == 1);
  REQUIRE(nodes.count("sum") == 1);
  CHECK(nodes.at("exp").calls == 2);
  CHECK(nodes.at("matmul").calls == 1);
  CHECK(nodes.at("sum").calls == 1);
  for (const auto& [name, n] : nodes) CHECK(n.total_ms >= 0);
  CHECK(w.grad().defined());
}

TEST_CASE("the profiler's table lists its rows, longest first", "[profiler]") {
  const Tensor w = randn({16, 16}).requires_grad_();
  Profiling on;
  for (int i = 0; i < 4; ++i) matmul(w, w).sum().backward();
  const std::string table = profiler::table();
  for (const char* row : {"matmul", "sum", "total", "autograd backward by node", "calls", "total ms", "mean us",
                          "cpu ms", "alloc MiB", "accessed MiB"}) {
    INFO(row);
    CHECK(table.find(row) != std::string::npos);
  }
  const auto ops = profiler::key_averages();
  REQUIRE(ops.size() >= 2);
  for (size_t i = 1; i < ops.size(); ++i) CHECK(ops[i - 1].total_ms >= ops[i].total_ms);
  // Each row of key_averages() appears in the table, in that order.
  size_t at = 0;
  for (const profiler::OpAverage& o : ops) {
    INFO(o.name);
    const size_t found = table.find("\n" + o.name + " ", at);
    CHECK(found != std::string::npos);
    if (found != std::string::npos) at = found + 1;
  }
}
