// Printing like PyTorch 1.13 (torch/_tensor_str.py, default print options:
// precision 4, threshold 1000, edgeitems 3, linewidth 80):
//   tensor([[ 1.0000, -2.5000],
//           [ 0.1250,  3.0000]], dtype=torch.float64, requires_grad=True)
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace dgm {
namespace {

constexpr int64_t kEdgeItems = 3;     // shown at each end of a long dim
constexpr int64_t kThreshold = 1000;  // more elements than this: summarize with "..."
constexpr int kLineWidth = 80;
constexpr int kPrecision = 4;

// All elements, row-major; int64 kept exact (a double holds only 53 bits).
struct Values {
  DType dtype;
  std::vector<double> d;
  std::vector<int64_t> i;
};

// Python's '{:.<precision>f}' / '{:.<precision>e}' (the same as C's).
std::string fixed(double v, int precision) {
  char buf[400];
  std::snprintf(buf, sizeof(buf), "%.*f", precision, v);
  return buf;
}
std::string sci(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*e", kPrecision, v);
  return buf;
}

// PyTorch's _Formatter: one format and one width for every element shown.
struct Formatter {
  DType dtype;
  bool int_mode = true;  // floats that are all integers print as "1."
  bool sci_mode = false;
  size_t width = 1;

  std::string raw(const Values& v, int64_t k) const {
    if (dtype == kBool) return v.d[k] != 0 ? "True" : "False";
    if (dtype == kInt64) return std::to_string(v.i[k]);
    const double x = v.d[k];
    if (!std::isfinite(x)) return std::isnan(x) ? "nan" : (x > 0 ? "inf" : "-inf");
    if (sci_mode) return sci(x);
    if (int_mode) return fixed(x, 0) + ".";
    return fixed(x, kPrecision);
  }
  std::string format(const Values& v, int64_t k) const {
    std::string s = raw(v, k);
    return s.size() < width ? std::string(width - s.size(), ' ') + s : s;
  }
};

// Flat indices of the elements shown (get_summarized_data): for a long dim,
// only the first and last kEdgeItems entries.
void shown_indices(const Shape& shape, bool summarize, size_t dim, int64_t base, std::vector<int64_t>& out) {
  if (dim == shape.size()) {
    out.push_back(base);
    return;
  }
  int64_t inner = 1;
  for (size_t d = dim + 1; d < shape.size(); ++d) inner *= shape[d];
  const int64_t n = shape[dim];
  for (int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * kEdgeItems && i == kEdgeItems) i = n - kEdgeItems;
    shown_indices(shape, summarize, dim + 1, base + i * inner, out);
  }
}

Formatter make_formatter(const Values& v, const std::vector<int64_t>& shown) {
  Formatter f{v.dtype};
  if (!is_floating(v.dtype)) {
    for (int64_t k : shown) f.width = std::max(f.width, f.raw(v, k).size());
    return f;
  }
  std::vector<double> nonzero;  // finite and nonzero
  for (int64_t k : shown)
    if (std::isfinite(v.d[k]) && v.d[k] != 0) nonzero.push_back(v.d[k]);
  if (nonzero.empty()) return f;
  double lo = INFINITY, hi = 0;
  for (double x : nonzero) {
    lo = std::min(lo, std::fabs(x));
    hi = std::max(hi, std::fabs(x));
    if (x != std::ceil(x)) f.int_mode = false;
  }
  f.sci_mode = hi / lo > 1000 || hi > 1e8 || (!f.int_mode && lo < 1e-4);
  for (double x : nonzero) {
    std::string s = f.sci_mode ? sci(x) : f.int_mode ? fixed(x, 0) + "." : fixed(x, kPrecision);
    f.width = std::max(f.width, s.size());
  }
  return f;
}

// parts joined by sep, between `open` and `close`.
std::string join(const std::vector<std::string>& parts, const std::string& sep, const char* open = "",
                 const char* close = "") {
  std::string s = open;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) s += sep;
    s += parts[i];
  }
  s += close;
  return s;
}

struct Printer {
  const Shape& shape;
  const Values& values;
  const Formatter& f;
  bool summarize;

  // The sub-tensor starting at flat index `base` over dims dim.. (_tensor_str_with_formatter).
  std::string str(size_t dim, int64_t base, int indent) const {
    if (shape.empty()) return f.format(values, 0);
    int64_t inner = 1;
    for (size_t d = dim + 1; d < shape.size(); ++d) inner *= shape[d];
    const int64_t n = shape[dim];
    const bool cut = summarize && n > 2 * kEdgeItems;
    std::vector<std::string> items;
    for (int64_t i = 0; i < n; ++i) {
      if (cut && i == kEdgeItems) {
        items.push_back(dim + 1 == shape.size() ? " ..." : "...");
        i = n - kEdgeItems;
      }
      items.push_back(dim + 1 == shape.size() ? f.format(values, base + i)
                                              : str(dim + 1, base + i * inner, indent + 1));
    }
    if (dim + 1 < shape.size()) {
      const size_t sub_dims = shape.size() - dim;
      std::string sep(sub_dims - 1, '\n');
      sep.insert(sep.begin(), ',');
      sep.append(static_cast<size_t>(indent + 1), ' ');
      return join(items, sep, "[", "]");
    }
    // A vector: as many elements per line as fit in the line width.
    const size_t per_line = std::max(1, (kLineWidth - indent) / static_cast<int>(f.width + 2));
    std::vector<std::string> lines;
    for (size_t i = 0; i < items.size(); i += per_line)
      lines.push_back(join(
          std::vector<std::string>(items.begin() + i, items.begin() + std::min(items.size(), i + per_line)), ", "));
    return join(lines, ",\n" + std::string(indent + 1, ' '), "[", "]");
  }
};

// torch's grad_fn names: "mul" -> "MulBackward0", "log_softmax" -> "LogSoftmaxBackward0".
std::string grad_fn_name(const char* name) {
  std::string s;
  bool up = true;
  for (const char* p = name; *p; ++p) {
    if (*p == '_') {
      up = true;
      continue;
    }
    s += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(*p))) : *p;
    up = false;
  }
  return s + "Backward0";
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  const std::string prefix = "tensor(";
  const int indent = static_cast<int>(prefix.size());
  std::vector<std::string> suffixes;
  if (t.is_cuda()) suffixes.push_back("device='" + t.device().str() + "'");
  std::string body;
  if (t.numel() == 0) {
    if (t.dim() != 1) {
      std::vector<std::string> sizes;
      for (int64_t s : t.shape()) sizes.push_back(std::to_string(s));
      suffixes.push_back("size=(" + join(sizes, ", ") + ")");
    }
    if (t.dtype() != kFloat32) suffixes.push_back(std::string("dtype=torch.") + dtype_name(t.dtype()));
    body = "[]";
  } else {
    if (t.dtype() == kFloat64) suffixes.push_back("dtype=torch.float64");
    Values v{t.dtype(), {}, {}};
    if (t.dtype() == kInt64)
      v.i = t.to_vector<int64_t>();
    else
      v.d = t.to_vector<double>();
    const bool summarize = t.numel() > kThreshold;
    std::vector<int64_t> shown;
    shown_indices(t.shape(), summarize, 0, 0, shown);
    Formatter f = make_formatter(v, shown);
    body = Printer{t.shape(), v, f, summarize}.str(0, 0, indent);
  }
  if (t.grad_fn())
    suffixes.push_back("grad_fn=<" + grad_fn_name(autograd::node_name(*t.grad_fn())) + ">");
  else if (t.requires_grad())
    suffixes.push_back("requires_grad=True");

  // _add_suffixes: a suffix that would pass the line width goes on its own line.
  std::string out = prefix + body;
  size_t last_line = out.rfind('\n') == std::string::npos ? out.size() + 2 : out.size() - out.rfind('\n') + 1;
  for (const std::string& s : suffixes) {
    if (last_line + s.size() + 2 > static_cast<size_t>(kLineWidth)) {
      out += ",\n" + std::string(indent, ' ') + s;
      last_line = indent + s.size();
    } else {
      out += ", " + s;
      last_line += s.size() + 2;
    }
  }
  return os << out << ")";
}

std::string to_string(const Tensor& t) {
  std::ostringstream s;
  s << t;
  return s.str();
}

}  // namespace dgm
