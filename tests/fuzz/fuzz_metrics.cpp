// libFuzzer: the metrics (JSON lines) reader on arbitrary text; what it reads
// must write back as lines it reads again.
#include "nn/io/metrics.h"
#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dgm::nn::io;
  dgm::fuzz::expect_only_dgm_errors([&] {
    const std::vector<MetricRecord> records = parse_metrics(dgm::fuzz::as_string(data, size), "fuzz");
    std::string text;
    for (const MetricRecord& r : records) text += to_json_line(r) + "\n";
    if (parse_metrics(text, "round trip").size() != records.size()) __builtin_trap();
  });
  return 0;
}
