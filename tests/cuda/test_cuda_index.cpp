// Index ops on CUDA against the CPU: gather, scatter, scatter_add,
// index_select, index_add, embedding, one_hot, x.index({...}), masked_fill, and
// the copying shape ops (cat, stack, pad, repeat, flip, triu, tril), with
// their gradients; out-of-range indices and index tensors on the wrong device.
//
// Tolerances: gather, index_select, scatter without duplicates and the shape
// ops only move numbers, so their outputs must be equal ({0, 0}). Gradients
// of gather/index_select/embedding are scatter_add/index_add, which sum
// duplicates with atomicAdd in an unspecified order: a handful of terms, so
// float32 agrees to ~1e-6 relative, float64 to ~1e-14.
#include <numeric>

#include "parity.h"

using namespace dgm;
using dgm::test::check_close;
using dgm::test::check_cuda_matches_cpu;
using dgm::test::Tol;
using dgm::test::uniform_values;

namespace {

const Tol kExact{0, 0};
Tol sum_tol(DType t) { return t == kFloat32 ? Tol{1e-6, 2e-6} : Tol{1e-14, 1e-13}; }

// int64 indices in [0, size), with repeats.
Tensor random_index(const Shape& shape, int64_t size, uint64_t seed) {
  return uniform_values(shape, 0, static_cast<double>(size), seed).to(kInt64);
}

// An index for dim 0 of shape (k, b, c) with k <= 7 and no duplicates in any
// column: element (i, j, l) = (3i + j + 2l) mod 7 (3 is invertible mod 7).
Tensor distinct_index_dim0(int64_t k, int64_t b, int64_t c) {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < b; ++j)
      for (int64_t l = 0; l < c; ++l) v.push_back((3 * i + j + 2 * l) % 7);
  return tensor(v, {k, b, c});
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const dgm::Error& e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("gather matches the CPU along every dim, with gradients", "[cuda][index]") {
  for (DType t : {kFloat32, kFloat64}) {
    Tensor x = uniform_values({7, 13, 5}, -2, 2).to(t);
    // index.size(d) <= x.size(d) apart from dim; values repeat, so the gradient accumulates.
    check_cuda_matches_cpu(
        "gather dim 0", [](auto& v) { return v[0].gather(0, v[1]); }, {x, random_index({9, 11, 5}, 7, 2)}, sum_tol(t),
        true);
    check_cuda_matches_cpu(
        "gather dim 1", [](auto& v) { return v[0].gather(1, v[1]); }, {x, random_index({7, 20, 3}, 13, 3)}, sum_tol(t),
        true);
    check_cuda_matches_cpu(
        "gather dim -1", [](auto& v) { return v[0].gather(-1, v[1]); }, {x, random_index({6, 13, 8}, 5, 4)}, sum_tol(t),
        true);
    // Non-contiguous x and index.
    check_cuda_matches_cpu(
        "gather of a transposed x with a transposed index",
        [](auto& v) { return v[0].transpose(0, 2).gather(1, v[1].transpose(0, 2)); },
        {x, random_index({4, 11, 5}, 13, 5)}, sum_tol(t));
    // Forward values are copies: exact.
    Tensor i = random_index({9, 11, 5}, 7, 6);
    check_close("gather forward", x.cuda().gather(0, i.cuda()).cpu(), x.gather(0, i), kExact);
  }
  // Every dtype (bool and int64 too).
  Tensor i = random_index({3, 4}, 6, 7);
  for (DType t : {kInt64, kBool}) {
    Tensor x = uniform_values({6, 4}, -3, 3, 8).to(t);
    check_close(std::string("gather ") + dtype_name(t), x.cuda().gather(0, i.cuda()).cpu(), x.gather(0, i), kExact);
  }
  // A larger one: (1000, 300) gathered along dim 1.
  Tensor big = uniform_values({1000, 300}, -1, 1, 9).to(kFloat32);
  Tensor bi = random_index({1000, 300}, 300, 10);
  check_close("gather (1000, 300)", big.cuda().gather(1, bi.cuda()).cpu(), big.gather(1, bi), kExact);
}

TEST_CASE("scatter without duplicate indices matches the CPU exactly, with gradients", "[cuda][index]") {
  // With duplicates a non-accumulating scatter keeps an unspecified one of the
  // values on the GPU (as in PyTorch), so only duplicate-free indices are compared.
  for (DType t : {kFloat32, kFloat64}) {
    Tensor x = uniform_values({7, 13, 5}, -2, 2, 11).to(t);
    Tensor src = uniform_values({6, 13, 5}, -2, 2, 12).to(t);
    Tensor index = distinct_index_dim0(5, 13, 5);  // src's unused rows get a zero gradient
    check_cuda_matches_cpu(
        "scatter", [](auto& v) { return v[0].scatter(0, v[2], v[1]); }, {x, src, index}, kExact, true);
    check_cuda_matches_cpu(
        "scatter of a value", [](auto& v) { return scatter(v[0], 0, v[1], 2.5); }, {x, index}, kExact, true);
    // Into a non-contiguous self, from a non-contiguous src.
    check_cuda_matches_cpu(
        "scatter, strided operands",
        [](auto& v) { return v[0].transpose(1, 2).scatter(0, v[2].transpose(1, 2), v[1].transpose(1, 2)); },
        {x, src, index}, kExact);
  }
  // one_hot is a scatter into int64 zeros.
  Tensor labels = tensor(std::vector<int64_t>{3, 0, 4, 4, 1, 2}, {2, 3});
  check_close("one_hot", one_hot(labels.cuda(), 6).cpu(), one_hot(labels, 6), kExact);
  check_close("one_hot (inferred classes)", one_hot(labels.cuda()).cpu(), one_hot(labels), kExact);
}

TEST_CASE("scatter_add sums duplicates like the CPU, with gradients", "[cuda][index]") {
  for (DType t : {kFloat32, kFloat64}) {
    Tensor x = uniform_values({7, 13, 5}, -2, 2, 13).to(t);
    Tensor src = uniform_values({9, 13, 6}, -2, 2, 14).to(t);
    check_cuda_matches_cpu(
        "scatter_add dim 0", [](auto& v) { return v[0].scatter_add(0, v[2], v[1]); },
        {x, src, random_index({9, 13, 5}, 7, 15)}, sum_tol(t), true);
    check_cuda_matches_cpu(
        "scatter_add dim 2", [](auto& v) { return v[0].scatter_add(2, v[2], v[1]); },
        {x, src, random_index({7, 12, 6}, 5, 16)}, sum_tol(t), true);
    // Many duplicates: 100000 values into 10 slots (atomics under contention).
    Tensor many = uniform_values({100000}, 0, 1, 17).to(t);
    Tensor slots = random_index({100000}, 10, 18);
    Tensor z = zeros({10}, t);
    check_close("scatter_add into 10 slots", z.cuda().scatter_add(0, slots.cuda(), many.cuda()).cpu(),
                z.scatter_add(0, slots, many), t == kFloat32 ? Tol{1e-3, 1e-4} : Tol{1e-9, 1e-12});
  }
  // int64 accumulates exactly (atomicAdd on the unsigned bit patterns), negatives included.
  Tensor xi = random_index({6, 4}, 100, 19) - 50L;
  Tensor si = random_index({8, 4}, 1000, 20) - 500L;
  Tensor ii = random_index({8, 4}, 6, 21);
  check_close("int64 scatter_add", xi.cuda().scatter_add(0, ii.cuda(), si.cuda()).cpu(), xi.scatter_add(0, ii, si),
              kExact);
}

TEST_CASE("index_select and index_add match the CPU, with gradients", "[cuda][index]") {
  for (DType t : {kFloat32, kFloat64}) {
    Tensor x = uniform_values({7, 13, 5}, -2, 2, 22).to(t);
    Tensor repeats = tensor(std::vector<int64_t>{2, 0, 2, 6, 1, 2, 4, 4, 3, 0, 12});
    check_cuda_matches_cpu(
        "index_select dim 0", [](auto& v) { return v[0].index_select(0, v[1]); }, {x, repeats.narrow(0, 1, 9)},
        sum_tol(t), true);
    check_cuda_matches_cpu(
        "index_select dim 1", [](auto& v) { return v[0].index_select(1, v[1]); }, {x, repeats}, sum_tol(t), true);
    check_cuda_matches_cpu(
        "index_select dim 2, strided index",
        [](auto& v) { return v[0].index_select(2, v[1].slice(0, 0, std::nullopt, 2)); }, {x, random_index({9}, 5, 23)},
        sum_tol(t), true);
    check_cuda_matches_cpu(
        "index_select of a transposed x", [](auto& v) { return v[0].transpose(0, 1).index_select(1, v[1]); },
        {x, random_index({10}, 7, 24)}, sum_tol(t));
    Tensor src = uniform_values({7, 10, 5}, -2, 2, 25).to(t);
    check_cuda_matches_cpu(
        "index_add dim 1", [](auto& v) { return index_add(v[0], 1, v[2], v[1]); }, {x, src, random_index({10}, 13, 26)},
        sum_tol(t), true);
    check_cuda_matches_cpu(
        "index_add, strided src", [](auto& v) { return index_add(v[0], 1, v[2], v[1].transpose(0, 2)); },
        {x, uniform_values({5, 8, 7}, -1, 1, 27).to(t), random_index({8}, 13, 28)}, sum_tol(t));
  }
  // Empty index: an empty result, no kernel.
  Tensor x = uniform_values({4, 3}).to(kFloat32);
  Tensor none = zeros({0}, kInt64);
  Tensor e = x.cuda().index_select(0, none.cuda());
  CHECK(e.shape() == Shape{0, 3});
  CHECK(e.is_cuda());
  CHECK(x.cuda().gather(0, zeros({0, 3}, kInt64).cuda()).numel() == 0);
}

TEST_CASE("embedding matches the CPU, padding_idx included", "[cuda][index]") {
  for (DType t : {kFloat32, kFloat64}) {
    Tensor w = uniform_values({10, 6}, -1, 1, 29).to(t);
    Tensor ids = tensor(std::vector<int64_t>{1, 2, 2, 9, 0, 2, 5, 1, 1, 7, 2, 3}, {4, 3});
    check_cuda_matches_cpu(
        "embedding", [](auto& v) { return embedding(v[0], v[1]); }, {w, ids}, sum_tol(t), true);
    check_cuda_matches_cpu(
        "embedding with padding_idx 2", [](auto& v) { return embedding(v[0], v[1], 2); }, {w, ids}, sum_tol(t), true);
  }
}

TEST_CASE("advanced indexing with int64 and bool tensors matches the CPU", "[cuda][index]") {
  for (DType t : {kFloat32, kFloat64}) {
    Tensor x = uniform_values({7, 13, 5}, -2, 2, 30).to(t);
    Tensor i = tensor(std::vector<int64_t>{0, -1, 3, 3, -7});
    Tensor j = tensor(std::vector<int64_t>{12, 0, 5, 5, -13});
    Tensor k = tensor(std::vector<int64_t>{4, 0, -5, 2, 1});
    check_cuda_matches_cpu(
        "x[i]", [](auto& v) { return v[0].index({v[1]}); }, {x, i}, sum_tol(t), true);
    check_cuda_matches_cpu(
        "x[:, j]",
        [](auto& v) {
          return v[0].index({Slice(), v[1]});
        },
        {x, j}, sum_tol(t), true);
    check_cuda_matches_cpu(
        "x[i, j] (adjacent)",
        [](auto& v) {
          return v[0].index({v[1], v[2]});
        },
        {x, i, j}, sum_tol(t), true);
    check_cuda_matches_cpu(
        "x[i, :, k] (not adjacent: the index dims go first)",
        [](auto& v) {
          return v[0].index({v[1], Slice(), v[2]});
        },
        {x, i, k}, sum_tol(t), true);
    check_cuda_matches_cpu(
        "x[1:, i.view(5, 1), None, ::2]",
        [](auto& v) {
          return v[0].index(
              {Slice(1, std::nullopt), v[1].view({5, 1}) + 0L, std::nullopt, Slice(std::nullopt, std::nullopt, 2)});
        },
        {x, j}, sum_tol(t), true);
    // Bool masks: over the first dim, and over all dims.
    Tensor rows = tensor(std::vector<bool>{true, false, true, true, false, false, true});
    Tensor all = uniform_values({7, 13, 5}, -1, 1, 31) > 0.2;
    check_cuda_matches_cpu(
        "x[mask over rows]", [](auto& v) { return v[0].index({v[1]}); }, {x, rows}, sum_tol(t), true);
    check_cuda_matches_cpu(
        "x[mask over everything]", [](auto& v) { return v[0].index({v[1]}); }, {x, all}, sum_tol(t), true);
    check_cuda_matches_cpu(
        "masked_fill (broadcast mask)", [](auto& v) { return v[0].masked_fill(v[1], -3.5); },
        {x, uniform_values({13, 1}, -1, 1, 32) > 0.0}, kExact, true);
  }
}

TEST_CASE("cat, stack, pad, repeat, flip, triu and tril match the CPU", "[cuda][index][shape]") {
  for (DType t : {kFloat32, kFloat64}) {
    Tensor a = uniform_values({7, 13, 5}, -2, 2, 33).to(t);
    Tensor b = uniform_values({7, 4, 5}, -2, 2, 34).to(t);
    Tensor c = uniform_values({5, 13, 7}, -2, 2, 35).to(t);
    std::vector<Tensor> in = {a, b, c};
    check_cuda_matches_cpu(
        "cat dim 1",
        [](auto& v) {
          return cat({v[0], v[1], v[0]}, 1);
        },
        in, kExact, true);
    check_cuda_matches_cpu(
        "cat of strided views",
        [](auto& v) {
          return cat({v[0], v[2].transpose(0, 2)}, 0);
        },
        in, kExact, true);
    check_cuda_matches_cpu(
        "stack dim 3",
        [](auto& v) {
          return stack({v[0], v[0] * 2.0, v[2].transpose(0, 2)}, 3);
        },
        in, kExact, true);
    check_cuda_matches_cpu(
        "pad (and crop)",
        [](auto& v) {
          return pad(v[0], {2, -1, 0, 3, 1, 1}, 0.5);
        },
        in, kExact, true);
    check_cuda_matches_cpu(
        "repeat",
        [](auto& v) {
          return v[1].repeat({2, 1, 3, 2});
        },
        in, sum_tol(t), true);
    check_cuda_matches_cpu(
        "flip",
        [](auto& v) {
          return v[0].flip({0, 2});
        },
        in, kExact, true);
    check_cuda_matches_cpu(
        "flip of a transposed view", [](auto& v) { return v[2].transpose(0, 1).flip({-1}); }, in, kExact, true);
    check_cuda_matches_cpu(
        "triu(1)", [](auto& v) { return v[0].triu(1); }, in, kExact, true);
    check_cuda_matches_cpu(
        "tril(-2) of a transposed view", [](auto& v) { return v[2].transpose(1, 2).tril(-2); }, in, kExact, true);
  }
  // Mixed dtypes in cat promote (int64 and float32 -> float32).
  Tensor i = random_index({2, 3}, 9, 36), f = uniform_values({1, 3}, -1, 1, 37).to(kFloat32);
  check_close("cat int64 + float32", cat({i.cuda(), f.cuda()}, 0).cpu(), cat({i, f}, 0), kExact);
}

TEST_CASE("out-of-range indices on CUDA give the CPU's error message", "[cuda][index][errors]") {
  Tensor x = uniform_values({5, 4}).to(kFloat32);
  // Two bad values: 9 comes first in row-major order, -1 first in the transposed view.
  Tensor bad = tensor(std::vector<int64_t>{0, 9, -1, 2}, {2, 2});
  auto both = [&](const std::string& what, const std::function<void(const Tensor&, const Tensor&)>& f,
                  const Tensor& index) {
    std::string on_cpu = message_of([&] { f(x, index); });
    std::string on_gpu = message_of([&] { f(x.cuda(), index.cuda()); });
    INFO(what << "\n  cpu:  " << on_cpu << "\n  cuda: " << on_gpu);
    CHECK(contains(on_cpu, "out of bounds"));
    CHECK(on_gpu == on_cpu);
  };
  both(
      "gather", [](auto& a, auto& i) { (void)a.gather(0, i); }, bad);
  both(
      "gather of a transposed index", [](auto& a, auto& i) { (void)a.gather(0, i.t()); }, bad);
  both(
      "scatter_add", [](auto& a, auto& i) { (void)a.scatter_add(0, i, ones(i.shape(), a.dtype()).to(a.device())); },
      bad);
  both(
      "index_select", [](auto& a, auto& i) { (void)a.index_select(1, i.view({4})); }, bad);
  both(
      "index_add",
      [](auto& a, auto& i) {
        (void)index_add(a, 0, i.view({4}), zeros({4, 4}).to(a.device()));
      },
      bad);
  both(
      "embedding", [](auto& a, auto& i) { (void)embedding(a, i); }, bad);
  both(
      "x.index (negative too far)", [](auto& a, auto& i) { (void)a.index({i.view({4}) - 5L}); }, bad);
  both(
      "one_hot", [](auto& a, auto& i) { (void)one_hot(i, 4); }, bad);
  std::string m = message_of([&] { (void)x.cuda().gather(0, bad.cuda()); });
  CHECK(m == "gather: index 9 is out of bounds for dim 0 with size 5");

  // The first bad value among a million, found across many blocks.
  std::vector<int64_t> v(1000000, 1);
  v[999999] = 7;
  v[500001] = -3;
  v[500000] = 6;
  Tensor big = tensor(v, {1000, 1000});
  Tensor y = zeros({5, 1000}).cuda();
  CHECK(message_of([&] { (void)y.gather(0, big.cuda()); }) == "gather: index 6 is out of bounds for dim 0 with size 5");
  // In range: no error, and the check does not disturb the result.
  Tensor ok = random_index({1000, 1000}, 5, 38);
  check_close("gather after a check", y.gather(0, ok.cuda()).cpu(), zeros({1000, 1000}), kExact);

  // Non-int64 index tensors are refused, as on the CPU.
  CHECK(contains(message_of([&] { (void)x.cuda().gather(0, bad.to(kFloat32).cuda()); }), "int64"));
}

TEST_CASE("index tensors on the wrong device give an error naming both devices", "[cuda][index][errors]") {
  Tensor x = uniform_values({5, 4}).to(kFloat32);
  Tensor i = tensor(std::vector<int64_t>{0, 1, 2, 3}, {2, 2});
  auto check_names_both = [](const std::string& what, const std::string& m) {
    INFO(what << ": " << m);
    CHECK(contains(m, "cuda:0"));
    CHECK((contains(m, "cpu") || contains(m, "CPU")));
  };
  check_names_both("gather, index on the CPU", message_of([&] { (void)x.cuda().gather(0, i); }));
  check_names_both("gather, x on the CPU", message_of([&] { (void)x.gather(0, i.cuda()); }));
  check_names_both("index_select", message_of([&] { (void)x.cuda().index_select(0, i.view({4})); }));
  check_names_both("scatter_add, src on the CPU", message_of([&] {
                     (void)x.cuda().scatter_add(0, i.cuda(), ones({2, 2}));
                   }));
  check_names_both("scatter, index on the CPU", message_of([&] { (void)x.cuda().scatter(0, i, ones({2, 2}).cuda()); }));
  check_names_both("index_add", message_of([&] { (void)index_add(x.cuda(), 0, i.view({4}), ones({4, 4}).cuda()); }));
  check_names_both("embedding", message_of([&] { (void)embedding(x.cuda(), i); }));
}
