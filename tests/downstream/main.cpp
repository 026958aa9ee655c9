// Checks that an installed dgm works from another project: d/dx sum(x^2) = 2x.
#include <dgm/dgm.h>

#include <iostream>

int main() {
  dgm::Tensor x = dgm::tensor(std::vector<float>{1, 2, 3}).requires_grad_();
  (x * x).sum().backward();
  std::vector<float> g = x.grad().to_vector<float>();
  bool ok = g == std::vector<float>{2, 4, 6};
  std::cout << "downstream: x.grad() = " << x.grad() << (ok ? " (ok)" : " (WRONG)") << "\n";
  return ok ? 0 : 1;
}
