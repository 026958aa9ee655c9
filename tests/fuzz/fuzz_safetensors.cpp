// libFuzzer: the safetensors reader on arbitrary bytes. A file that loads must
// survive a round trip (serialize, parse again) with the same tensors.
#include "nn/io/safetensors.h"
#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dgm::fuzz::expect_only_dgm_errors([&] {
    const dgm::nn::io::SafetensorsFile file = dgm::nn::io::parse_safetensors(dgm::fuzz::as_string(data, size), "fuzz");
    const std::string again = dgm::nn::io::serialize_safetensors(file.tensors, file.metadata);
    const dgm::nn::io::SafetensorsFile back = dgm::nn::io::parse_safetensors(again, "round trip");
    if (back.metadata != file.metadata || back.tensors.size() != file.tensors.size()) __builtin_trap();
    for (const auto& [name, t] : file.tensors) {
      const dgm::Tensor& u = back.tensors.at(name);
      if (u.shape() != t.shape() || u.dtype() != t.dtype()) __builtin_trap();
    }
  });
  return 0;
}
