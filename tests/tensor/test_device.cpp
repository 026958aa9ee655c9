// CUDA tensors where no GPU can be used (this machine, CI, a build without
// CUDA): every attempt is a dgm::Error that names the device and says why,
// and nothing is left half done. (With a GPU, build/bin/dgm_cuda_tests runs.)
#include <catch2/catch.hpp>
#include <string>

#include "dgm.h"

using namespace dgm;

namespace {
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const dgm::Error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("without a GPU, CUDA tensors are a clear error", "[device]") {
  if (cuda::is_available()) {
    SUCCEED("a GPU is available: dgm_cuda_tests covers it");
    return;
  }
  INFO("reason: " << cuda::unavailable_reason());
  CHECK(!cuda::unavailable_reason().empty());
  CHECK(cuda::device_count() == 0);
  Tensor x = ones({2, 3});
  for (const std::string& m :
       {error_of([] { (void)zeros({4}, TensorOptions(kFloat32).device(kCUDA)); }), error_of([&] { (void)x.to(kCUDA); }),
        error_of([&] { (void)x.cuda(); }), error_of([] { (void)randn({3}, TensorOptions(kFloat32).device(kCUDA)); })}) {
    INFO(m);
    CHECK(m.find("cuda:0") != std::string::npos);
    CHECK(m.find("bytes") != std::string::npos);  // what it tried to allocate
  }
  // The CPU tensor is untouched and the statistics stay empty.
  CHECK(x.sum().item<double>() == 6);
  CHECK(cuda::memory_stats().num_device_allocs == 0);
  cuda::synchronize();  // a no-op, not an error
  cuda::empty_cache();
}

TEST_CASE("the CUDA API reports how dgm was built", "[device]") {
  CHECK((cuda::is_built() || !cuda::is_available()));
  if (!cuda::is_built()) CHECK(cuda::unavailable_reason().find("without CUDA") != std::string::npos);
  CHECK(cuda::device_name().empty() == !cuda::is_available());
}
