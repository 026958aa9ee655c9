// libFuzzer: the IDX reader (MNIST's format) on arbitrary bytes, raw or gzip'd.
#include "nn/data/file_bytes.h"
#include "nn/data/idx.h"
#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dgm::fuzz::expect_only_dgm_errors([&] {
    const std::vector<uint8_t> bytes = dgm::nn::data::decode_file_bytes(dgm::fuzz::as_bytes(data, size), "fuzz",
                                                                        "read_idx", dgm::fuzz::kFuzzMaxInflated);
    const dgm::Tensor t = dgm::nn::data::parse_idx(bytes, "fuzz", size % 2 ? dgm::kInt64 : dgm::kFloat32);
    if (t.numel() > 0 && t.numel() + 4 > static_cast<int64_t>(bytes.size())) __builtin_trap();
  });
  return 0;
}
