#include "nn/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "autograd/grad_mode.h"
#include "nn/io/atomic_file.h"
#include "nn/io/json.h"
#include "tensor/factories.h"

namespace dgm::nn::io {

static_assert(std::endian::native == std::endian::little,
              "safetensors stores little-endian bytes; dgm::io copies memory as is");

namespace {

// The reference implementation refuses headers above 100 MB; so do we.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr int kMaxHeaderDepth = 3;

const char* format_name(DType t) {
  switch (t) {
    case kBool:
      return "BOOL";
    case kInt64:
      return "I64";
    case kFloat32:
      return "F32";
    case kFloat64:
      return "F64";
  }
  return "?";
}

// Rank in the reference implementation's Dtype enum (BOOL < ... < F32 < F64 < I64);
// tensors are written in descending rank, then by name.
int reference_rank(DType t) {
  switch (t) {
    case kBool:
      return 0;
    case kFloat32:
      return 1;
    case kFloat64:
      return 2;
    case kInt64:
      return 3;
  }
  return 0;
}

std::optional<DType> dtype_from_name(const std::string& s) {
  if (s == "F32") return kFloat32;
  if (s == "F64") return kFloat64;
  if (s == "I64") return kInt64;
  if (s == "BOOL") return kBool;
  return std::nullopt;
}

void put_u64_le(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_u64_le(const std::string& in) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(in[static_cast<size_t>(i)]);
  return v;
}

struct Entry {
  std::string name;
  Tensor data;  // contiguous, CPU
};

}  // namespace

std::string serialize_safetensors(const nn::StateDict& tensors, const Metadata& metadata) {
  std::vector<Entry> entries;
  {
    NoGradGuard no_grad;
    for (const auto& [name, t] : tensors) {
      DGM_CHECK(t.defined(), "save_safetensors: tensor '", name, "' is undefined");
      DGM_CHECK(name != "__metadata__", "save_safetensors: '__metadata__' is reserved and cannot name a tensor");
      entries.push_back({name, t.detach().cpu().contiguous()});
    }
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return reference_rank(a.data.dtype()) > reference_rank(b.data.dtype());  // names are already sorted
  });

  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const Entry& e : entries) {
    uint64_t bytes = static_cast<uint64_t>(e.data.numel()) * e.data.element_size();
    nlohmann::ordered_json info = nlohmann::ordered_json::object();
    info["dtype"] = format_name(e.data.dtype());
    info["shape"] = e.data.shape();
    info["data_offsets"] = {offset, offset + bytes};
    header[e.name] = std::move(info);
    offset += bytes;
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');

  std::string out;
  out.reserve(8 + json.size() + offset);
  put_u64_le(out, json.size());
  out += json;
  for (const Entry& e : entries) {
    size_t bytes = static_cast<size_t>(e.data.numel()) * e.data.element_size();
    if (bytes > 0) out.append(static_cast<const char*>(e.data.raw_data()), bytes);
  }
  return out;
}

void save_safetensors(const std::string& path, const nn::StateDict& tensors, const Metadata& metadata) {
  write_file_atomic(path, serialize_safetensors(tensors, metadata));
}

SafetensorsFile parse_safetensors(const std::string& bytes, const std::string& name) {
  const std::string where = "load_safetensors: '" + name + "': ";
  DGM_CHECK(bytes.size() >= 8, where, "file is ", bytes.size(), " bytes, too short for the 8-byte header length");
  const uint64_t n = get_u64_le(bytes);
  DGM_CHECK(n <= bytes.size() - 8, where, "header length ", n, " runs past the end of the file (", bytes.size(),
            " bytes)");
  DGM_CHECK(n <= kMaxHeaderBytes, where, "header length ", n, " exceeds the limit of ", kMaxHeaderBytes, " bytes");

  // The format's header is an object of objects holding arrays (and the string -> string __metadata__): 3 levels.
  const nlohmann::json header =
      parse_json(std::string_view(bytes).substr(8, n), where + "header", {kMaxHeaderBytes, kMaxHeaderDepth});
  DGM_CHECK(header.is_object(), where, "header is not a JSON object");

  constexpr int64_t kMaxOffset = std::numeric_limits<int64_t>::max();
  const uint64_t data_begin = 8 + n, data_size = bytes.size() - data_begin;
  SafetensorsFile file;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;  // [begin, end) of each non-empty tensor
  std::vector<std::string> range_names;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      DGM_CHECK(value.is_object(), where, "__metadata__ is not a JSON object");
      for (const auto& [mk, mv] : value.items())
        file.metadata[mk] = json_string(mv, where + "__metadata__ value of '" + mk + "'");
      continue;
    }
    const std::string what = where + "tensor '" + key + "': ";
    DGM_CHECK(value.is_object(), what, "entry is not a JSON object");
    const std::string dtype_str = json_string(value, "dtype", what + "entry");
    std::optional<DType> dtype = dtype_from_name(dtype_str);
    DGM_CHECK(dtype.has_value(), what, "unsupported dtype ", dtype_str,
              " (dgm reads F32, F64, I64 and BOOL; convert the tensor before saving)");
    DGM_CHECK(value.contains("shape") && value["shape"].is_array(), what, "missing \"shape\" array");
    Shape shape;
    for (const auto& d : value["shape"]) shape.push_back(json_int(d, 0, kMaxOffset, what + "shape size"));
    const uint64_t expected =
        static_cast<uint64_t>(checked_nbytes(what + "shape", shape, static_cast<int64_t>(element_size(*dtype))));
    const uint64_t numel = expected / element_size(*dtype);
    const auto& offs = value.contains("data_offsets") ? value["data_offsets"] : nlohmann::json();
    DGM_CHECK(offs.is_array() && offs.size() == 2, what, "\"data_offsets\" must be [begin, end]");
    const uint64_t begin = static_cast<uint64_t>(json_int(offs[0], 0, kMaxOffset, what + "data_offsets[0]"));
    const uint64_t end = static_cast<uint64_t>(json_int(offs[1], 0, kMaxOffset, what + "data_offsets[1]"));
    DGM_CHECK(begin <= end && end <= data_size, what, "data_offsets [", begin, ", ", end,
              "] out of range (the data section has ", data_size, " bytes)");
    DGM_CHECK(end - begin == expected, what, "data size ", end - begin, " bytes != ", numel, " elements of ", dtype_str,
              " (", expected, " bytes) for shape ", shape_str(shape));
    if (end > begin) {
      ranges.emplace_back(begin, end);
      range_names.push_back(key);
    }
    Tensor t = from_blob(bytes.data() + data_begin + begin, shape, *dtype);
    if (*dtype == kBool && numel > 0) {  // a bool byte must hold 0 or 1 for C++
      auto* p = reinterpret_cast<uint8_t*>(t.raw_data());
      for (uint64_t i = 0; i < numel; ++i) p[i] = p[i] != 0;
    }
    file.tensors[key] = t;
  }

  std::vector<size_t> order(ranges.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ranges[a] < ranges[b]; });
  for (size_t i = 1; i < order.size(); ++i) {
    const auto& prev = ranges[order[i - 1]];
    const auto& cur = ranges[order[i]];
    DGM_CHECK(cur.first >= prev.second, where, "data of tensors '", range_names[order[i - 1]], "' [", prev.first, ", ",
              prev.second, "] and '", range_names[order[i]], "' [", cur.first, ", ", cur.second, "] overlap");
  }
  return file;
}

SafetensorsFile load_safetensors_with_metadata(const std::string& path) {
  return parse_safetensors(read_file(path), path);
}

nn::StateDict load_safetensors(const std::string& path) { return load_safetensors_with_metadata(path).tensors; }

}  // namespace dgm::nn::io
