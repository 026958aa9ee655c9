// libFuzzer: a run's metadata JSON (the "settings" and "config" strings kept in
// a checkpoint's __metadata__), read as models/train/run.cpp reads it on
// resume: the checked parse, the typed reads, then printing and comparing
// (both recurse through the document, which the depth bound keeps shallow).
#include <cstdint>

#include "nn/io/json.h"
#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dgm::nn::io;
  dgm::fuzz::expect_only_dgm_errors([&] {
    const nlohmann::json saved = parse_json(dgm::fuzz::as_string(data, size), "fuzz settings", kMetadataJsonLimits);
    if (!saved.is_object()) return;
    if (saved.contains("epochs")) json_int(saved, "epochs", 0, INT64_MAX, "fuzz settings");
    if (saved.contains("seed") && saved["seed"].is_number_unsigned()) (void)saved["seed"].get<uint64_t>();
    if (saved.contains("model")) json_string(saved, "model", "fuzz settings");
    for (const auto& [key, value] : saved.items()) {
      (void)json_excerpt(value);
      if (!(value == saved[key])) __builtin_trap();
      (void)value.dump();
    }
  });
  return 0;
}
