#include "nn/data/idx.h"

#include "nn/data/file_bytes.h"
#include "tensor/factories.h"

namespace dgm::nn::data {

namespace {

const char* idx_type_name(uint8_t code) {
  switch (code) {
    case 0x08:
      return "unsigned byte";
    case 0x09:
      return "signed byte";
    case 0x0B:
      return "int16";
    case 0x0C:
      return "int32";
    case 0x0D:
      return "float32";
    case 0x0E:
      return "float64";
    default:
      return "unknown";
  }
}

std::string hex(unsigned v) {
  const char* digits = "0123456789abcdef";
  std::string s = "0x";
  s += digits[(v >> 4) & 15];
  s += digits[v & 15];
  return s;
}

// Converts n bytes to the element type T of the result.
template <typename T>
void widen(const uint8_t* src, int64_t n, T* dst) {
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<T>(src[i]);
}

}  // namespace

Tensor parse_idx(const std::vector<uint8_t>& b, const std::string& name, DType dtype) {
  const std::string who = "read_idx: '" + name + "'";
  DGM_CHECK(dtype == kFloat32 || dtype == kFloat64 || dtype == kInt64, "read_idx: dtype must be float32, float64 or ",
            "int64, got ", dtype_name(dtype));
  DGM_CHECK(b.size() >= 4, who, ": file too short for an IDX header (", b.size(), " bytes, need at least 4)");
  DGM_CHECK(b[0] == 0 && b[1] == 0, who, ": bad magic number (first bytes ", hex(b[0]), " ", hex(b[1]),
            ", expected 0x00 0x00): not an IDX file");
  DGM_CHECK(b[2] == 0x08, who, ": element type code ", hex(b[2]), " (", idx_type_name(b[2]),
            ") is not supported, only 0x08 (unsigned byte)");
  const int64_t ndim = b[3];
  DGM_CHECK(ndim >= 1, who, ": the header gives 0 dimensions");
  const int64_t header = 4 + 4 * ndim;
  DGM_CHECK(static_cast<int64_t>(b.size()) >= header, who, ": truncated header (", ndim, " dimensions need ", header,
            " bytes, the file has ", b.size(), ")");
  Shape shape(static_cast<size_t>(ndim));
  for (int64_t d = 0; d < ndim; ++d) {
    const uint8_t* p = b.data() + 4 + 4 * d;
    shape[d] = static_cast<int64_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3]);
  }
  // A corrupt header can claim any shape, a zero size among huge ones too: checked before any stride is computed.
  const int64_t count = checked_numel(who + ": the header's shape", shape, 8);
  const std::string shape_text = shape_str(shape);
  const int64_t have = static_cast<int64_t>(b.size()) - header;
  DGM_CHECK(have >= count, who, ": truncated file: the header's shape ", shape_text, " needs ", count,
            " data bytes, the file has ", have);
  DGM_CHECK(have == count, who, ": ", have - count, " unexpected bytes after the ", count, " data bytes of shape ",
            shape_text);
  Tensor out = empty(shape, dtype);
  const uint8_t* src = b.data() + header;
  if (dtype == kFloat32)
    widen(src, count, out.data_ptr<float>());
  else if (dtype == kFloat64)
    widen(src, count, out.data_ptr<double>());
  else
    widen(src, count, out.data_ptr<int64_t>());
  return out;
}

Tensor read_idx(const std::string& path, DType dtype) {
  return parse_idx(read_file_bytes(path, "read_idx"), path, dtype);
}

}  // namespace dgm::nn::data
