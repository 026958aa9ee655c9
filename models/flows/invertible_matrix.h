// Parametrizations of an invertible n x n matrix W for linear flows
// (lecture 2: z = W x, the invertible 1x1 convolution of Glow). Each gives W,
// log|det W| and W^{-1}; they differ in what the log-det and the inverse cost.
//
//   PlainMatrix  W itself is the parameter.
//                log|det W| by an LU factorization (linalg::slogdet), O(n^3) per
//                step, and its gradient W^{-T} costs another O(n^3);
//                W^{-1} = linalg::inv(W). W starts as a random rotation.
//   LUMatrix     W = P L (U + diag(sign_s * exp(log_s)))         (Glow, W = PLU)
//                P a fixed permutation (buffer `permutation`: P[i][permutation[i]] = 1,
//                so P M gathers M's rows, O(n^2) instead of a matmul), L unit lower-triangular (its
//                strict lower part the parameter `lower`, read through tril(-1)),
//                U strictly upper-triangular (parameter `upper`, read through
//                triu(1)), sign_s a fixed +-1 buffer, log_s a parameter:
//                log|det W| = sum_i log_s_i, O(n);
//                W^{-1} = (U + diag(s))^{-1} L^{-1} P^T by two triangular solves.
//                (Assembling W is still one O(n^3) product L U'; what LU saves is the
//                factorization and, in the backward, the inverse that slogdet needs.)
//                Starts as the PLU factors of a random rotation, as Glow.
//   QRMatrix     W = Q R,  Q = H_1 H_2 ... H_n,  H_k = I - 2 v_k v_k^T / |v_k|^2
//                (Householder reflections, parameters v_k = rows of `reflections`),
//                R = triu(upper, 1) + diag(exp(log_r)):
//                log|det W| = log|det Q| + log|det R| = 0 + sum_i log_r_i, O(n);
//                W^{-1} = R^{-1} Q^T by one triangular solve.
//                Starts with v_k ~ N(0, I) (a random orthogonal Q) and R = I.
#pragma once
#include <memory>
#include <string>

#include "nn/module.h"
#include "tensor/random.h"

namespace dgm::models::flows {

enum class MatrixParametrization { kPlain, kLU, kQR };

// "plain", "lu", "qr"
std::string parametrization_name(MatrixParametrization p);

class InvertibleMatrix : public nn::Module {
 public:
  explicit InvertibleMatrix(int64_t n) : n_(n) {}
  int64_t size() const { return n_; }
  virtual Tensor weight() = 0;          // W (n, n)
  virtual Tensor log_abs_det() = 0;     // log|det W|, 0-dim
  virtual Tensor inverse_weight() = 0;  // W^{-1} (n, n)
  std::string extra_repr() const override { return std::to_string(n_); }

 protected:
  int64_t n_;
};

class PlainMatrix : public InvertibleMatrix {
 public:
  explicit PlainMatrix(int64_t n, Generator* gen = nullptr);
  std::string name() const override { return "PlainMatrix"; }
  Tensor weight() override { return weight_; }
  Tensor log_abs_det() override;
  Tensor inverse_weight() override;

 private:
  Tensor weight_;
};

class LUMatrix : public InvertibleMatrix {
 public:
  explicit LUMatrix(int64_t n, Generator* gen = nullptr);
  std::string name() const override { return "LUMatrix"; }
  Tensor weight() override;
  Tensor log_abs_det() override;
  Tensor inverse_weight() override;

  Tensor unit_lower();           // L = tril(lower, -1) + I
  Tensor upper_with_diagonal();  // U + diag(sign_s * exp(log_s))

  Tensor permutation, sign_s;  // buffers: int64 (n) indices, float (n) +-1
  Tensor lower, upper, log_s;  // parameters
};

class QRMatrix : public InvertibleMatrix {
 public:
  explicit QRMatrix(int64_t n, Generator* gen = nullptr);
  std::string name() const override { return "QRMatrix"; }
  Tensor weight() override;
  Tensor log_abs_det() override;
  Tensor inverse_weight() override;

  Tensor orthogonal();  // Q = H_1 ... H_n
  Tensor triangular();  // R = triu(upper, 1) + diag(exp(log_r))

  Tensor reflections, upper, log_r;  // parameters
};

// Q = H_1 H_2 ... H_k for the rows v_1..v_k of V (k, n): H_j = I - 2 v_j v_j^T / |v_j|^2. Differentiable.
Tensor householder_product(const Tensor& V);

std::shared_ptr<InvertibleMatrix> make_invertible_matrix(MatrixParametrization p, int64_t n, Generator* gen = nullptr);

}  // namespace dgm::models::flows
