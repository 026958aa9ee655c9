#include "autograd/gradcheck.h"

#include <cmath>
#include <random>
#include <sstream>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "tensor/factories.h"

namespace dgm {
namespace {

// Element i (row-major logical index) of a float64 tensor, through its strides.
double& element(const Tensor& t, int64_t i) {
  int64_t off = 0;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    off += (i % t.size(d)) * t.stride(d);
    i /= t.size(d);
  }
  return t.data_ptr<double>()[off];
}

std::string index_str(const Shape& shape, int64_t i) {
  Shape idx(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    idx[d] = i % shape[d];
    i /= shape[d];
  }
  return shape_str(idx);
}

bool has_overlap(const Tensor& t) {
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.stride(d) == 0 && t.size(d) > 1) return true;
  return false;
}

// f's value at the (perturbed) inputs. Grad mode stays as the caller has it,
// as in torch.autograd.gradcheck: f may itself call autograd::grad on its inputs
// (a gradient penalty, a double-backward quantity).
std::vector<Tensor> evaluate(const MultiFunction& f, const std::vector<Tensor>& inputs) {
  std::vector<Tensor> outs = f(inputs);
  for (Tensor& o : outs) o = o.detach().to(kFloat64).contiguous();
  return outs;
}

}  // namespace

GradcheckResult gradcheck(const MultiFunction& f, const std::vector<Tensor>& inputs, GradcheckOptions o) {
  GradcheckResult result;
  std::vector<size_t> checked;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor& x = inputs[k];
    if (!x.defined() || !x.requires_grad()) continue;
    DGM_CHECK(x.dtype() == kFloat64, "gradcheck: input ", k, " has dtype ", dtype_name(x.dtype()),
              "; gradcheck needs float64 inputs");
    DGM_CHECK(!has_overlap(x), "gradcheck: input ", k, " of shape ", shape_str(x.shape()),
              " is an expanded view; expand inside the function instead");
    DGM_CHECK(x.is_leaf(), "gradcheck: input ", k, " is not a leaf");
    checked.push_back(k);
  }
  DGM_CHECK(!checked.empty(), "gradcheck: no input requires grad");

  // Analytical Jacobian, one output element at a time: row j = d y_j / d x.
  std::vector<Tensor> outputs = f(inputs);
  std::vector<Tensor> wrt;
  for (size_t k : checked) wrt.push_back(inputs[k]);
  // jac[k][i][j] is stored as analytical[k] of shape (numel(x_k), total outputs).
  int64_t total_out = 0;
  for (const Tensor& y : outputs) total_out += y.numel();
  std::vector<std::vector<double>> analytical(checked.size());
  for (size_t c = 0; c < checked.size(); ++c) analytical[c].assign(inputs[checked[c]].numel() * total_out, 0.0);
  int64_t col = 0;
  for (size_t yi = 0; yi < outputs.size(); ++yi) {
    const Tensor& y = outputs[yi];
    for (int64_t j = 0; j < y.numel(); ++j, ++col) {
      if (!y.requires_grad()) continue;
      Tensor v = zeros(y.shape(), TensorOptions(y.dtype()).device(y.device()));
      {
        Tensor flat = v.view({-1});
        NoGradGuard ng;
        flat.narrow(0, j, 1).fill_(1.0);
      }
      std::vector<Tensor> gv(outputs.size());
      for (size_t m = 0; m < outputs.size(); ++m)
        gv[m] = m == yi ? v : zeros(outputs[m].shape(), TensorOptions(outputs[m].dtype()));
      std::vector<Tensor> roots;
      std::vector<Tensor> grads_for_roots;
      for (size_t m = 0; m < outputs.size(); ++m)
        if (outputs[m].requires_grad()) {
          roots.push_back(outputs[m]);
          grads_for_roots.push_back(gv[m]);
        }
      std::vector<Tensor> g = autograd::grad(roots, wrt, grads_for_roots, /*retain_graph=*/true,
                                             /*create_graph=*/false, /*allow_unused=*/true);
      for (size_t c = 0; c < checked.size(); ++c) {
        if (!g[c].defined()) continue;
        Tensor gc = g[c].to(kFloat64).contiguous();
        const double* p = gc.data_ptr<double>();
        for (int64_t i = 0; i < gc.numel(); ++i) analytical[c][i * total_out + col] = p[i];
      }
    }
  }

  // Numerical Jacobian by central differences, one input element at a time.
  double worst = -1;
  std::ostringstream worst_msg;
  for (size_t c = 0; c < checked.size(); ++c) {
    const Tensor x = inputs[checked[c]].detach();
    for (int64_t i = 0; i < x.numel(); ++i) {
      double& xi = element(x, i);
      const double saved = xi;
      xi = saved + o.eps;
      std::vector<Tensor> plus = evaluate(f, inputs);
      xi = saved - o.eps;
      std::vector<Tensor> minus = evaluate(f, inputs);
      xi = saved;
      int64_t colj = 0;
      for (size_t yi = 0; yi < plus.size(); ++yi) {
        const double* pp = plus[yi].data_ptr<double>();
        const double* pm = minus[yi].data_ptr<double>();
        for (int64_t j = 0; j < plus[yi].numel(); ++j, ++colj) {
          double numerical = (pp[j] - pm[j]) / (2 * o.eps);
          double a = analytical[c][i * total_out + colj];
          double err = std::fabs(a - numerical);
          bool bad = !(err <= o.atol + o.rtol * std::fabs(numerical));  // NaN counts as bad
          result.max_abs_error = std::max(result.max_abs_error, std::isnan(err) ? INFINITY : err);
          double score = std::isnan(err) ? INFINITY : err - (o.atol + o.rtol * std::fabs(numerical));
          if (bad && score > worst) {
            worst = score;
            worst_msg.str("");
            worst_msg << "gradcheck: d output" << yi << index_str(plus[yi].shape(), j) << " / d input" << checked[c]
                      << index_str(x.shape(), i) << ": analytical " << a << " vs numerical " << numerical << " (|diff| "
                      << err << " > atol " << o.atol << " + rtol " << o.rtol << " * |numerical|)";
          }
          if (bad) result.ok = false;
        }
      }
    }
  }
  if (!result.ok) result.message = worst_msg.str();
  return result;
}

GradcheckResult gradcheck(const SingleFunction& f, const std::vector<Tensor>& inputs, GradcheckOptions o) {
  return gradcheck(MultiFunction([&](const std::vector<Tensor>& in) { return std::vector<Tensor>{f(in)}; }), inputs, o);
}

GradcheckResult gradgradcheck(const MultiFunction& f, const std::vector<Tensor>& inputs, GradcheckOptions o) {
  std::vector<Tensor> outputs;
  {
    NoGradGuard no_grad;
    outputs = f(inputs);
  }
  std::mt19937_64 rng(12345);
  std::normal_distribution<double> normal;
  // One random direction v per output; v is checked as an input too.
  std::vector<Tensor> extended = inputs;
  for (const Tensor& y : outputs) {
    std::vector<double> vals(y.numel());
    for (double& v : vals) v = normal(rng);
    extended.push_back(tensor(vals, {y.numel()}).reshape(y.shape()).requires_grad_());
  }
  const size_t n_in = inputs.size();
  std::vector<size_t> wrt_idx;
  for (size_t k = 0; k < n_in; ++k)
    if (inputs[k].defined() && inputs[k].requires_grad()) wrt_idx.push_back(k);
  MultiFunction vjp = [&, n_in](const std::vector<Tensor>& in) {
    std::vector<Tensor> xs(in.begin(), in.begin() + n_in);
    std::vector<Tensor> vs(in.begin() + n_in, in.end());
    std::vector<Tensor> wrt;
    for (size_t k : wrt_idx) wrt.push_back(in[k]);
    // Under finite differences (grad mode off) only the values are needed;
    // otherwise build the graph of the backward pass.
    const bool create_graph = GradMode::is_enabled();
    AutoGradMode on(true);
    std::vector<Tensor> g = autograd::grad(f(xs), wrt, vs, /*retain_graph=*/create_graph, create_graph,
                                           /*allow_unused=*/true);
    for (size_t c = 0; c < g.size(); ++c)
      if (!g[c].defined()) g[c] = zeros_like(wrt[c]);
    return g;
  };
  return gradcheck(vjp, extended, o);
}

GradcheckResult gradgradcheck(const SingleFunction& f, const std::vector<Tensor>& inputs, GradcheckOptions o) {
  return gradgradcheck(MultiFunction([&](const std::vector<Tensor>& in) { return std::vector<Tensor>{f(in)}; }), inputs,
                       o);
}

}  // namespace dgm
