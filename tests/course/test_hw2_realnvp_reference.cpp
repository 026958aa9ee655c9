// Homework 2, RealNVP, second tier: random inputs and non-trivial random
// weights, compared with the outputs of the reference solution stored in
// tests/course/references/ (see reference.h). The first tier is test_hw2_realnvp.cpp.
#include "../helpers.h"
#include "models/flows/coupling_channel.h"
#include "models/flows/coupling_checkerboard.h"
#include "models/flows/logit_transform.h"
#include "models/flows/realnvp.h"
#include "reference.h"

using namespace dgm;
using namespace dgm::models::flows;
using dgm::course::ReferenceCase;

namespace {

// Writing: gives every coupling scale and scale_shift random values (they start at 0, which would make the
// couplings pure shifts and the check blind to s). Reading: the stored values are loaded instead.
void randomize_scales(nn::Module& m) {
  for (auto& [name, p] : m.named_parameters())
    if (name.find("scale") != std::string::npos) p.detach().uniform_(-0.8, 0.8);
}

}  // namespace

TEST_CASE("LogitTransform on random images matches the reference solution", "[hw2][hw2.1][reference]") {
  ReferenceCase ref("hw2.1_logit_transform");
  manual_seed(201);
  LogitTransform logit(0.05, true, 256);
  Tensor x = ref.input("x", [] { return floor(rand({3, 1, 4, 4}) * 256.0) / 255.0; });
  Tensor u = ref.input("noise", [] { return rand({3, 1, 4, 4}); });
  FlowOutput out = logit.forward_transform(x, u);
  ref.check("z", out.z, 1e-5, 1e-5);
  ref.check("log_det", out.log_det, 1e-5, 1e-5);
  ref.finish();
}

TEST_CASE("checkerboard coupling on random inputs and weights matches the reference solution",
          "[hw2][hw2.2][hw2.3][reference]") {
  ReferenceCase ref("hw2.3_checkerboard_coupling");
  manual_seed(203);
  AffineCheckerboardCoupling layer(false, {5, 6}, 2, 8, 2);
  if (ref.writing()) randomize_scales(layer);
  ref.parameters(layer);
  Tensor x = ref.input("x", [] { return randn({3, 2, 5, 6}); });
  FlowOutput out = layer.flow(x);
  ref.check("z", out.z, 1e-5, 1e-4);
  ref.check("log_det", out.log_det, 1e-5, 1e-4);
  Tensor z = ref.input("z", [] { return randn({3, 2, 5, 6}); });
  FlowOutput back = layer.inverse(z);
  ref.check("x", back.z, 1e-5, 1e-4);
  ref.check("inverse_log_det", back.log_det, 1e-5, 1e-4);
  ref.finish();
}

TEST_CASE("channel coupling on random inputs and weights matches the reference solution", "[hw2][hw2.4][reference]") {
  ReferenceCase ref("hw2.4_channel_coupling");
  manual_seed(204);
  for (bool parity : {true, false}) {
    const std::string name = parity ? "even" : "odd";
    AffineChannelCoupling layer(parity, 3, 8, 1);
    if (ref.writing()) randomize_scales(layer);
    ref.parameters(layer, name);
    Tensor x = ref.input(name + ".x", [] { return randn({2, 6, 4, 3}); });
    FlowOutput out = layer.flow(x);
    ref.check(name + ".z", out.z, 1e-5, 1e-4);
    ref.check(name + ".log_det", out.log_det, 1e-5, 1e-4);
    FlowOutput back = layer.inverse(x);
    ref.check(name + ".x_of_z", back.z, 1e-5, 1e-4);
  }
  ref.finish();
}

TEST_CASE("RealNVP log_prob and its gradient on random images and weights match the reference solution",
          "[hw2][hw2.5][reference]") {
  ReferenceCase ref("hw2.5_realnvp");
  manual_seed(205);
  RealNVP model({4, 6}, 1, 4, 1, 2);
  Tensor x = ref.input("x", [] { return bernoulli(full({5, 1, 4, 6}, 0.4)); });
  Tensor u = ref.input("noise", [] { return rand({5, 1, 4, 6}); });
  if (ref.writing()) {
    model.log_prob(x, u);  // initializes the ActNorms on this batch
    randomize_scales(model);
  }
  ref.parameters(model);
  Tensor lp = model.log_prob(x, u);
  ref.check("log_prob", lp, 1e-4, 1e-4);
  lp.sum().backward();
  // One gradient deep in the first stack and one in the middle: they see every layer after them.
  for (const auto& [name, p] : model.named_parameters())
    if (name == "transforms1.0.scale" || name == "transforms2.0.resnet.input_conv.weight")
      ref.check("grad." + name, p.grad(), 1e-4, 1e-3);
  ref.finish();
}
