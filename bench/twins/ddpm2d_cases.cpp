// The 2-D DDPM of homework 5 task 2 (models/diffusion/ddpm.h) against bench/twins/ddpm2d_twin.py:
//   ddpm2d_moons: ConditionalMLP(2, T = 50, hidden 32) weights from the seeded default generator, a batch x0 of 24
//                 points, timesteps t (24) int64 covering 0 and T - 1, noise eps (24, 2); the loss is L_simple =
//                 mean (eps - eps_theta(sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, t))^2 (DDPM::simple_loss, which
//                 draws nothing), its schedule recomputed by the twin in float64 from the cosine formula.
#include <vector>

#include "bench/twins/twin_cases.h"
#include "models/diffusion/ddpm.h"
#include "tensor/factories.h"

namespace dgm::twins {

namespace {

TwinCase ddpm2d_moons_case() {
  return {"ddpm2d_moons", "ddpm2d", R"({"input_dim": 2, "num_timesteps": 50, "hidden_dim": 32})", [](Generator& gen) {
            constexpr int64_t T = 50, B = 24;
            auto model = std::make_shared<models::diffusion::DDPM>(
                T, std::make_shared<models::diffusion::ConditionalMLP>(2, T, 32));
            Tensor x0 = randn({B, 2}, &gen);
            std::vector<int64_t> steps = randint(0, T, {B}, kInt64, &gen).to_vector<int64_t>();
            steps[0] = 0;  // the ends of the schedule: abar_0 ~ 1 and abar_{T-1} ~ 0
            steps[1] = T - 1;
            const Tensor t = tensor(steps);
            Tensor noise = randn({B, 2}, &gen);
            return TwinExport{model, {{"x0", x0}, {"t", t}, {"noise", noise}}, [model, x0, t, noise] {
                                return model->simple_loss(x0, t, noise);
                              }};
          }};
}

}  // namespace

std::vector<TwinCase> ddpm2d_twin_cases() { return {ddpm2d_moons_case()}; }

}  // namespace dgm::twins
