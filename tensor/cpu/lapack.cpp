// CPU factorizations on OpenBLAS's LAPACK: Cholesky (potrf), LU (getrf, with
// getri for the inverse and getrs for solves) and the symmetric eigensolver
// (syevd). There is no lapacke.h, so the Fortran entry points are declared here.
//
// LAPACK is column-major: a row-major buffer holding A is, to LAPACK, A^T.
// Each kernel below says how it undoes that: for a symmetric A, "the lower
// triangle of A" is LAPACK's 'U'; inv(A^T) = inv(A)^T and det(A^T) = det(A),
// so those need nothing; eigenvectors come back as rows and are transposed.
#include <cblas.h>  // blasint

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "tensor/backend/backend.h"

extern "C" {
// The trailing size_t arguments are the hidden lengths of Fortran strings.
void spotrf_(const char* uplo, const blasint* n, float* a, const blasint* lda, blasint* info, size_t);
void dpotrf_(const char* uplo, const blasint* n, double* a, const blasint* lda, blasint* info, size_t);
void sgetrf_(const blasint* m, const blasint* n, float* a, const blasint* lda, blasint* ipiv, blasint* info);
void dgetrf_(const blasint* m, const blasint* n, double* a, const blasint* lda, blasint* ipiv, blasint* info);
void sgetri_(const blasint* n, float* a, const blasint* lda, const blasint* ipiv, float* work, const blasint* lwork,
             blasint* info);
void dgetri_(const blasint* n, double* a, const blasint* lda, const blasint* ipiv, double* work, const blasint* lwork,
             blasint* info);
void sgetrs_(const char* trans, const blasint* n, const blasint* nrhs, const float* a, const blasint* lda,
             const blasint* ipiv, float* b, const blasint* ldb, blasint* info, size_t);
void dgetrs_(const char* trans, const blasint* n, const blasint* nrhs, const double* a, const blasint* lda,
             const blasint* ipiv, double* b, const blasint* ldb, blasint* info, size_t);
void ssyevd_(const char* jobz, const char* uplo, const blasint* n, float* a, const blasint* lda, float* w, float* work,
             const blasint* lwork, blasint* iwork, const blasint* liwork, blasint* info, size_t, size_t);
void dsyevd_(const char* jobz, const char* uplo, const blasint* n, double* a, const blasint* lda, double* w,
             double* work, const blasint* lwork, blasint* iwork, const blasint* liwork, blasint* info, size_t, size_t);
}

namespace dgm::cpu {
namespace {

// float / double overloads, so the kernels below are written once.
void potrf(blasint n, float* a, blasint* info) { spotrf_("U", &n, a, &n, info, 1); }
void potrf(blasint n, double* a, blasint* info) { dpotrf_("U", &n, a, &n, info, 1); }
void getrf(blasint n, float* a, blasint* ipiv, blasint* info) { sgetrf_(&n, &n, a, &n, ipiv, info); }
void getrf(blasint n, double* a, blasint* ipiv, blasint* info) { dgetrf_(&n, &n, a, &n, ipiv, info); }
void getri(blasint n, float* a, const blasint* ipiv, float* work, blasint lwork, blasint* info) {
  sgetri_(&n, a, &n, ipiv, work, &lwork, info);
}
void getri(blasint n, double* a, const blasint* ipiv, double* work, blasint lwork, blasint* info) {
  dgetri_(&n, a, &n, ipiv, work, &lwork, info);
}
void getrs_t(blasint n, blasint k, const float* a, const blasint* ipiv, float* b, blasint* info) {
  sgetrs_("T", &n, &k, a, &n, ipiv, b, &n, info, 1);
}
void getrs_t(blasint n, blasint k, const double* a, const blasint* ipiv, double* b, blasint* info) {
  dgetrs_("T", &n, &k, a, &n, ipiv, b, &n, info, 1);
}
void syevd(blasint n, float* a, float* w, float* work, blasint lwork, blasint* iwork, blasint liwork, blasint* info) {
  ssyevd_("V", "U", &n, a, &n, w, work, &lwork, iwork, &liwork, info, 1, 1);
}
void syevd(blasint n, double* a, double* w, double* work, blasint lwork, blasint* iwork, blasint liwork,
           blasint* info) {
  dsyevd_("V", "U", &n, a, &n, w, work, &lwork, iwork, &liwork, info, 1, 1);
}

// " (batch element i)" when there is more than one matrix.
std::string batch_note(int64_t batch, int64_t i) {
  return batch > 1 ? " (batch element " + std::to_string(i) + ")" : std::string();
}

Shape batch_shape(const Tensor& a) { return Shape(a.shape().begin(), a.shape().end() - 2); }

}  // namespace

// out = L, A = L L^T, for each matrix
void cholesky_(const Tensor& out) {
  const int64_t n = out.size(-1), batch = numel_of(batch_shape(out));
  dispatch_floating(out.dtype(), "cholesky", [&]<typename T>() {
    T* p = out.data_ptr<T>();
    for (int64_t b = 0; b < batch; ++b) {
      T* m = p + b * n * n;
      blasint info = 0;
      potrf(static_cast<blasint>(n), m, &info);
      DGM_CHECK(info <= 0, "cholesky: the input is not positive-definite (the leading minor of order ", info,
                " is not positive-definite)", batch_note(batch, b));
      for (int64_t i = 0; i < n; ++i)  // LAPACK left A's strict upper triangle in place
        for (int64_t j = i + 1; j < n; ++j) m[i * n + j] = T(0);
    }
  });
}

// out = A^{-1} for each matrix (LU, then the inverse from the factors)
void inverse_(const Tensor& out) {
  const int64_t n = out.size(-1), batch = numel_of(batch_shape(out));
  dispatch_floating(out.dtype(), "inv", [&]<typename T>() {
    T* p = out.data_ptr<T>();
    std::vector<blasint> ipiv(n);
    blasint info = 0;
    T query;
    getri(static_cast<blasint>(n), p, ipiv.data(), &query, -1, &info);
    std::vector<T> work(std::max<int64_t>(static_cast<int64_t>(query), n));
    for (int64_t b = 0; b < batch; ++b) {
      T* m = p + b * n * n;
      getrf(static_cast<blasint>(n), m, ipiv.data(), &info);
      DGM_CHECK(info <= 0, "inv: the input matrix is singular (diagonal element ", info, " of its LU factor U is zero)",
                batch_note(batch, b));
      getri(static_cast<blasint>(n), m, ipiv.data(), work.data(), static_cast<blasint>(work.size()), &info);
    }
  });
}

// x = (A^{-1} B)^T given x = B^T: LU of (row-major A read as) A^T, then (A^T)^T X = B
void solve_(const Tensor& lu, const Tensor& x) {
  const int64_t n = lu.size(-1), k = x.size(-2), batch = numel_of(batch_shape(lu));
  dispatch_floating(lu.dtype(), "solve", [&]<typename T>() {
    T* pa = lu.data_ptr<T>();
    T* px = x.data_ptr<T>();
    std::vector<blasint> ipiv(n);
    for (int64_t i = 0; i < batch; ++i) {
      blasint info = 0;
      getrf(static_cast<blasint>(n), pa + i * n * n, ipiv.data(), &info);  // LU of A^T
      DGM_CHECK(info <= 0, "solve: the input matrix is singular (diagonal element ", info,
                " of its LU factor U is zero)", batch_note(batch, i));
      // (A^T)^T X = B
      getrs_t(static_cast<blasint>(n), static_cast<blasint>(k), pa + i * n * n, ipiv.data(), px + i * n * k, &info);
    }
  });
}

// (sign, log|det|) of each matrix from its LU factors
void slogdet(const Tensor& sign, const Tensor& logabs, const Tensor& lu) {
  const int64_t n = lu.size(-1), batch = sign.numel();
  dispatch_floating(lu.dtype(), "slogdet", [&]<typename T>() {
    T* p = lu.data_ptr<T>();
    std::vector<blasint> ipiv(std::max<int64_t>(n, 1));
    for (int64_t b = 0; b < batch; ++b) {
      T* m = p + b * n * n;
      blasint info = 0;
      if (n > 0) getrf(static_cast<blasint>(n), m, ipiv.data(), &info);
      // det A = (-1)^(row swaps) prod U_ii; the diagonal is the same for A and A^T.
      double s = 1, log_abs = 0;
      for (int64_t i = 0; i < n; ++i) {
        if (ipiv[i] != i + 1) s = -s;
        const double d = m[i * n + i];
        if (d < 0) s = -s;
        log_abs += std::log(std::fabs(d));
      }
      if (info > 0) {
        s = 0;
        log_abs = -std::numeric_limits<double>::infinity();
      }
      sign.data_ptr<T>()[b] = static_cast<T>(s);
      logabs.data_ptr<T>()[b] = static_cast<T>(log_abs);
    }
  });
}

// w = eigenvalues, vt = V^T (row i: eigenvector i) of each symmetric matrix held in vt
void eigh_(const Tensor& w, const Tensor& vt) {
  const int64_t n = vt.size(-1), batch = numel_of(batch_shape(vt));
  dispatch_floating(vt.dtype(), "eigh", [&]<typename T>() {
    T* pv = vt.data_ptr<T>();
    T* pw = w.data_ptr<T>();
    blasint info = 0, iquery = 0;
    T query;
    syevd(static_cast<blasint>(n), pv, pw, &query, -1, &iquery, -1, &info);
    std::vector<T> work(static_cast<size_t>(query) + 1);
    std::vector<blasint> iwork(static_cast<size_t>(iquery) + 1);
    for (int64_t b = 0; b < batch; ++b) {
      syevd(static_cast<blasint>(n), pv + b * n * n, pw + b * n, work.data(), static_cast<blasint>(work.size()),
            iwork.data(), static_cast<blasint>(iwork.size()), &info);
      DGM_CHECK(info == 0, "eigh: the eigensolver failed to converge (info ", info, ")", batch_note(batch, b));
    }
  });
}

}  // namespace dgm::cpu
