// libFuzzer: the CIFAR-10 binary batch reader on arbitrary bytes, raw or gzip'd.
#include "nn/data/cifar.h"
#include "nn/data/file_bytes.h"
#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dgm::fuzz::expect_only_dgm_errors([&] {
    const std::vector<uint8_t> bytes = dgm::nn::data::decode_file_bytes(
        dgm::fuzz::as_bytes(data, size), "fuzz", "read_cifar10_batch", dgm::fuzz::kFuzzMaxInflated);
    const dgm::nn::data::ImageSet set = dgm::nn::data::parse_cifar10_batch(bytes, "fuzz");
    if (set.images.size(0) != set.labels.size(0)) __builtin_trap();
  });
  return 0;
}
