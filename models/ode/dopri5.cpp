// Dormand-Prince 5(4): written by the ODE solvers' owner (see odeint.h).
#include "models/ode/odeint.h"
#include "tensor/error.h"

namespace dgm::models::ode {

Tensor dopri5_solve(const OdeFunction&, const Tensor&, const std::vector<double>&, const OdeOptions&, OdeStats&) {
  throw Error("odeint: dopri5 is not written yet");
}

}  // namespace dgm::models::ode
