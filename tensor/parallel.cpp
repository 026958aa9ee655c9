#include "tensor/parallel.h"

#include <omp.h>

#include <cstdlib>

extern "C" void openblas_set_num_threads(int);

namespace dgm {
namespace {
int& threads() {
  static int n = [] {
    const char* env = std::getenv("DGM_NUM_THREADS");
    int v = env ? std::atoi(env) : 0;
    if (v <= 0) v = omp_get_num_procs();
    omp_set_num_threads(v);
    openblas_set_num_threads(v);
    return v;
  }();
  return n;
}
}  // namespace

void set_num_threads(int n) {
  if (n <= 0) n = omp_get_num_procs();
  threads() = n;
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

int get_num_threads() { return threads(); }

}  // namespace dgm
