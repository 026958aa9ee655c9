// Optimizers and a whole model on the GPU against the same on the CPU.
#include "models/vae/conv_vae.h"
#include "parity.h"

using namespace dgm;
using dgm::test::check_close;
using dgm::test::Tol;
using dgm::test::uniform_values;

namespace {

// Parameters p (CPU) and a CUDA copy; `steps` optimizer steps on both with the
// same gradients; the parameters must stay equal within tol.
template <typename MakeOpt>
void check_optimizer(const char* name, MakeOpt make, DType dtype, Tol tol) {
  INFO(name << " " << dtype_name(dtype));
  Tensor a = uniform_values({7, 13}, -1, 1, 11).to(dtype).requires_grad_();
  Tensor b = uniform_values({13}, -1, 1, 12).to(dtype).requires_grad_();
  Tensor ag = a.detach().cuda().requires_grad_(), bg = b.detach().cuda().requires_grad_();
  auto opt = make(std::vector<Tensor>{a, b});
  auto opt_g = make(std::vector<Tensor>{ag, bg});
  for (int step = 0; step < 5; ++step) {
    Tensor ga = uniform_values({7, 13}, -1, 1, 100 + step).to(dtype);
    Tensor gb = uniform_values({13}, -1, 1, 200 + step).to(dtype);
    a.set_grad(ga), b.set_grad(gb);
    ag.set_grad(ga.cuda()), bg.set_grad(gb.cuda());
    opt->step();
    opt_g->step();
  }
  check_close("a", ag.detach().cpu(), a.detach(), tol);
  check_close("b", bg.detach().cpu(), b.detach(), tol);
}

}  // namespace

TEST_CASE("optimizers step the same on CUDA as on the CPU (fused Adam included)", "[cuda][optim]") {
  for (DType t : {kFloat32, kFloat64}) {
    Tol tol = t == kFloat32 ? Tol{1e-6, 1e-5} : Tol{1e-13, 1e-12};
    check_optimizer(
        "Adam",
        [](std::vector<Tensor> p) { return std::make_shared<nn::optim::Adam>(p, nn::optim::AdamOptions(1e-2)); }, t,
        tol);
    check_optimizer(
        "Adam amsgrad",
        [](std::vector<Tensor> p) {
          return std::make_shared<nn::optim::Adam>(p, nn::optim::AdamOptions(1e-2).amsgrad(true));
        },
        t, tol);
    check_optimizer(
        "Adam weight decay",
        [](std::vector<Tensor> p) {
          return std::make_shared<nn::optim::Adam>(p, nn::optim::AdamOptions(1e-2).weight_decay(0.1));
        },
        t, tol);
    check_optimizer(
        "AdamW",
        [](std::vector<Tensor> p) { return std::make_shared<nn::optim::AdamW>(p, nn::optim::AdamWOptions(1e-2)); }, t,
        tol);
    check_optimizer(
        "SGD momentum",
        [](std::vector<Tensor> p) {
          return std::make_shared<nn::optim::SGD>(p, nn::optim::SGDOptions(1e-2).momentum(0.9).nesterov(true));
        },
        t, tol);
    check_optimizer(
        "RMSprop",
        [](std::vector<Tensor> p) { return std::make_shared<nn::optim::RMSprop>(p, nn::optim::RMSpropOptions(1e-2)); },
        t, tol);
  }
}

TEST_CASE("the conv VAE trains the same on CUDA as on the CPU", "[cuda][models]") {
  // Same weights, same data, same random stream (randn on the GPU reproduces
  // the CPU's numbers): the losses and the first gradients agree to float32
  // rounding. After 3 Adam steps the parameters agree to lr-sized amounts:
  // Adam divides each gradient by its own running magnitude, so an element
  // whose gradient is nearly 0 moves by up to lr in a direction that rounding
  // decides. Hence: every element within 2 lr per step, and on average far
  // closer than that.
  manual_seed(0);
  models::ConvVAE cpu_model, gpu_model;
  gpu_model.load_state_dict(cpu_model.state_dict());
  gpu_model.to(kCUDA);
  nn::optim::Adam cpu_opt(cpu_model.parameters(), nn::optim::AdamOptions(1e-3));
  nn::optim::Adam gpu_opt(gpu_model.parameters(), nn::optim::AdamOptions(1e-3));
  Tensor x = (uniform_values({16, 1, 28, 28}, 0, 1, 5) > 0.5).to(kFloat32);
  for (int step = 0; step < 3; ++step) {
    manual_seed(100 + step);
    Tensor cpu_loss = cpu_model.loss(x).at("loss");
    manual_seed(100 + step);
    Tensor gpu_loss = gpu_model.loss(x.cuda()).at("loss");
    REQUIRE(gpu_loss.is_cuda());
    INFO("step " << step);
    check_close("loss", gpu_loss.cpu(), cpu_loss.detach(), {1e-3, 1e-5});
    cpu_opt.zero_grad();
    gpu_opt.zero_grad();
    cpu_loss.backward();
    gpu_loss.backward();
    if (step == 0) {
      auto cpu_params = cpu_model.named_parameters();
      auto gpu_params = gpu_model.named_parameters();
      for (size_t k = 0; k < cpu_params.size(); ++k) {
        const Tensor& gc = cpu_params[k].second.grad();
        const double scale = gc.abs().max().item<double>();
        check_close("gradient of " + cpu_params[k].first, gpu_params[k].second.grad().cpu(), gc, {1e-4 * scale, 1e-4});
      }
    }
    cpu_opt.step();
    gpu_opt.step();
  }
  auto cpu_state = cpu_model.state_dict();
  for (const auto& [key, t] : gpu_model.state_dict()) {
    REQUIRE(t.is_cuda());
    Tensor diff = (t.cpu() - cpu_state.at(key)).abs();
    INFO(key);
    CHECK(diff.max().item<double>() <= 3 * 2 * 1e-3);
    CHECK(diff.mean().item<double>() <= 1e-5);
  }
  // Samples of the same model from the same generator agree too.
  gpu_model.load_state_dict(cpu_model.state_dict());
  Generator g1(7), g2(7);
  NoGradGuard ng;
  check_close("samples", gpu_model.sample(4, &g1).cpu(), cpu_model.sample(4, &g2), {1e-5, 1e-4});
}
