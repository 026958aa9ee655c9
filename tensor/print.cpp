// Printing like PyTorch:
//   tensor([[ 1.0000, -2.5000],
//           [ 0.1250,  3.0000]], dtype=torch.float64, requires_grad=True)
#include <cmath>
#include <iomanip>
#include <sstream>

#include "autograd/node.h"
#include "tensor/tensor.h"

namespace dgm {
namespace {

constexpr int64_t kEdgeItems = 3;   // shown at each end of a long dim
constexpr int64_t kSummarize = 1000; // elements before summarizing with "..."

struct Format {
  bool integer_valued = true;  // floats that are all integers print as "1."
  bool scientific = false;
  int width = 1;
};

std::string format_value(double v, DType dtype, const Format& f) {
  std::ostringstream s;
  if (dtype == kBool) return v != 0 ? "True" : "False";
  if (dtype == kInt64) s << static_cast<int64_t>(v);
  else if (std::isnan(v)) s << "nan";
  else if (std::isinf(v)) s << (v > 0 ? "inf" : "-inf");
  else if (f.integer_valued) s << std::fixed << std::setprecision(0) << v << ".";
  else if (f.scientific) s << std::scientific << std::setprecision(4) << v;
  else s << std::fixed << std::setprecision(4) << v;
  return s.str();
}

void print_dim(std::ostream& os, const Tensor& t, const std::vector<double>& vals, int64_t dim, int64_t offset,
               const Format& f, int indent, bool summarize) {
  if (t.dim() == 0) {
    os << std::setw(f.width) << format_value(vals[0], t.dtype(), f);
    return;
  }
  const int64_t n = t.size(dim);
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < t.dim(); ++d) inner *= t.size(d);
  os << "[";
  for (int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * kEdgeItems && i == kEdgeItems) {
      os << (dim == t.dim() - 1 ? "..., " : "...,\n" + std::string(indent + 1, ' '));
      i = n - kEdgeItems;
    }
    if (dim == t.dim() - 1) {
      os << std::setw(f.width) << format_value(vals[offset + i], t.dtype(), f);
    } else {
      print_dim(os, t, vals, dim + 1, offset + i * inner, f, indent + 1, summarize);
    }
    if (i + 1 < n) {
      os << ",";
      if (dim == t.dim() - 1) os << " ";
      else os << std::string(t.dim() - dim - 1, '\n') << std::string(indent + 1, ' ');
    }
  }
  os << "]";
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  std::vector<double> vals = t.detach().to_vector<double>();
  Format f;
  double max_abs = 0, min_abs = INFINITY;
  for (double v : vals) {
    if (!std::isfinite(v)) continue;
    f.integer_valued = f.integer_valued && v == std::floor(v);
    max_abs = std::max(max_abs, std::fabs(v));
    if (v != 0) min_abs = std::min(min_abs, std::fabs(v));
  }
  f.scientific = !f.integer_valued && (max_abs >= 1e8 || (min_abs < 1e-4 && min_abs > 0) ||
                                       (max_abs > 0 && min_abs < INFINITY && max_abs / min_abs > 1000));
  for (double v : vals) f.width = std::max<int>(f.width, static_cast<int>(format_value(v, t.dtype(), f).size()));
  os << "tensor(";
  print_dim(os, t, vals, 0, 0, f, 7, t.numel() > kSummarize);
  if (t.numel() == 0 && t.dim() > 0) os << ", size=" << shape_str(t.shape());
  if (t.dtype() != kFloat32 && t.dtype() != kInt64 && t.dtype() != kBool) os << ", dtype=torch." << dtype_name(t.dtype());
  if (t.dtype() == kBool && t.numel() == 0) os << ", dtype=torch.bool";
  if (t.is_cuda()) os << ", device='" << t.device().str() << "'";
  if (t.grad_fn()) os << ", grad_fn=<" << t.grad_fn()->name << ">";
  else if (t.requires_grad()) os << ", requires_grad=True";
  return os << ")";
}

std::string to_string(const Tensor& t) {
  std::ostringstream s;
  s << t;
  return s.str();
}

}  // namespace dgm
