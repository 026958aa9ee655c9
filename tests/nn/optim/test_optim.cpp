// Optimizers, gradient clipping, LR schedulers and the weight EMA (nn/optim).
//
// Reference values come from PyTorch 1.13 in float64. Optimizers: every test
// trains x and w for 5 steps on
//   loss = sum(0.5 a x^2 + b x) + sum(sin(w)),  a = [1, .5, 2, .1], b = [.1, -.3, .2, 0]
// from x = [1, -2, .5, 3], w = [[.3, -1.2], [2, .8]], with this Python:
//
//   torch.set_default_dtype(torch.float64)
//   a = torch.tensor([1.0, 0.5, 2.0, 0.1]); b = torch.tensor([0.1, -0.3, 0.2, 0.0])
//   def run(make, steps=5):
//       x = torch.tensor([1.0, -2.0, 0.5, 3.0], requires_grad=True)
//       w = torch.tensor([[0.3, -1.2], [2.0, 0.8]], requires_grad=True)
//       opt = make([x, w])
//       for _ in range(steps):
//           opt.zero_grad()
//           loss = (0.5 * a * x * x + b * x).sum() + w.sin().sum()
//           loss.backward()
//           opt.step()
//       return x.detach().tolist() + w.detach().flatten().tolist()
//   run(lambda p: torch.optim.SGD(p, lr=0.1))   # and so on, as named above each constant
#include <cmath>

#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;

namespace {

struct Problem {
  Tensor x, w, a, b;
  explicit Problem(DType dtype = kFloat64)
      : x(tensor(std::vector<double>{1.0, -2.0, 0.5, 3.0}, {4}, dtype).requires_grad_()),
        w(tensor(std::vector<double>{0.3, -1.2, 2.0, 0.8}, {2, 2}, dtype).requires_grad_()),
        a(tensor(std::vector<double>{1.0, 0.5, 2.0, 0.1}, {4}, dtype)),
        b(tensor(std::vector<double>{0.1, -0.3, 0.2, 0.0}, {4}, dtype)) {}
  std::vector<Tensor> params() const { return {x, w}; }
  // A problem starting from other values of x and w (a resumed run).
  Problem(const Tensor& x0, const Tensor& w0) : Problem(x0.dtype()) {
    x = x0.detach().clone().requires_grad_();
    w = w0.detach().clone().requires_grad_();
  }
  Tensor loss() const { return (0.5 * a * x * x + b * x).sum() + w.sin().sum(); }
  std::vector<double> values() const {
    std::vector<double> v = x.to_vector<double>(), wv = w.to_vector<double>();
    v.insert(v.end(), wv.begin(), wv.end());
    return v;
  }
};

void train(nn::optim::Optimizer& opt, const Problem& pb, int steps, nn::optim::LRScheduler* sched = nullptr) {
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    pb.loss().backward();
    opt.step();
    if (sched) sched->step();
  }
}

template <typename Opt, typename Options>
std::vector<double> run(const Options& options, int steps = 5) {
  Problem pb;
  Opt opt(pb.params(), options);
  train(opt, pb, steps);
  return pb.values();
}

void check_exact(const std::vector<double>& got, const std::vector<double>& expected) {
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    CHECK(got[i] == expected[i]);
  }
}

constexpr double kTol = 1e-12;

}  // namespace

TEST_CASE("SGD matches PyTorch: plain, momentum with dampening, nesterov, weight decay", "[optim]") {
  // SGD(p, lr=0.1)
  check_values(tensor(run<nn::optim::SGD>(nn::optim::SGDOptions(0.1))),
               {0.5495390000000001, -1.4118304375000001, 0.09660799999999997, 2.8529701497000004, -0.1924499289398899,
                -1.3499240013866196, 2.2479513584490793, 0.4046429913090946},
               kTol, kTol);
  // SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)
  check_values(tensor(run<nn::optim::SGD>(nn::optim::SGDOptions(0.1).momentum(0.9).dampening(0.1).weight_decay(0.01))),
               {-0.08187714387186826, -0.5570636547812521, -0.42169774127466086, 2.6057036800451727,
                -0.8839152069912474, -1.5449607130547975, 2.579983144501299, -0.17153756572628798},
               kTol, kTol);
  // SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)
  check_values(tensor(run<nn::optim::SGD>(nn::optim::SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(0.1))),
               {0.19626731241390283, -0.8843373849813574, -0.17551051221266378, 2.515322289961503, -0.5294628107576654,
                -1.3641708811103337, 2.2130767404665486, 0.07836362749007794},
               kTol, kTol);
}

TEST_CASE("Adam matches PyTorch: defaults, L2 weight decay, amsgrad", "[optim]") {
  // Adam(p, lr=0.1)
  check_values(tensor(run<nn::optim::Adam>(nn::optim::AdamOptions(0.1))),
               {0.5068637089650823, -1.5021190045482795, 0.019381494924545467, 2.501779472478992, -0.20055116947432733,
                -1.6480830787226008, 2.5017260617197596, 0.29795418238529214},
               kTol, kTol);
  // Adam(p, lr=0.1, weight_decay=0.1)
  check_values(tensor(run<nn::optim::Adam>(nn::optim::AdamOptions(0.1).weight_decay(0.1))),
               {0.5069518318020372, -1.5022246516820277, 0.019679937066689815, 2.5017794639254634, -0.20014573691519102,
                -1.553018221787113, 2.499364586749265, 0.2982180645331629},
               kTol, kTol);
  // Adam(p, lr=0.1, betas=(0.9, 0.5), weight_decay=0.1, amsgrad=True); the second moment shrinks, so the
  // max matters: without amsgrad x ends at [0.4767, -1.4909, -0.0496, 2.4926].
  check_values(
      tensor(run<nn::optim::Adam>(nn::optim::AdamOptions(0.1).betas({0.9, 0.5}).weight_decay(0.1).amsgrad(true))),
      {0.49831283878898874, -1.493789419178839, 0.027325219668719328, 2.4942717395349447, -0.1994903547844306,
       -1.5340822474100877, 2.457631335381641, 0.31154126263438453},
      kTol, kTol);
  check_values(tensor(run<nn::optim::Adam>(nn::optim::AdamOptions(0.1).betas({0.9, 0.5}).weight_decay(0.1))),
               {0.476735453087036, -1.490941602681745, -0.04964305200528893, 2.4925572257296964, -0.1994903547844306,
                -1.5788699845473444, 2.457631335381641, 0.31154126263438453},
               kTol, kTol);
}

TEST_CASE("AdamW decouples weight decay and matches PyTorch", "[optim]") {
  // AdamW(p, lr=0.1, weight_decay=0.1): compare Adam with the same weight_decay above (0.5070, ...)
  std::vector<double> adamw = run<nn::optim::AdamW>(nn::optim::AdamWOptions(0.1).weight_decay(0.1));
  check_values(tensor(adamw),
               {0.4686653266340012, -1.4144890326665371, 0.006129965164128351, 2.3652785893106136, -0.20534540252566436,
                -1.5936927342375615, 2.3941497257169972, 0.268634842014538},
               kTol, kTol);
  std::vector<double> adam = run<nn::optim::Adam>(nn::optim::AdamOptions(0.1).weight_decay(0.1));
  CHECK(std::fabs(adam[3] - adamw[3]) > 0.1);
  // AdamW(p, lr=0.1, betas=(0.9, 0.5), weight_decay=0.1, amsgrad=True)
  check_values(
      tensor(run<nn::optim::AdamW>(nn::optim::AdamWOptions(0.1).betas({0.9, 0.5}).weight_decay(0.1).amsgrad(true))),
      {0.4615902116590334, -1.4060749213319401, 0.014672381063666376, 2.3568543764263574, -0.20220839962215503,
       -1.5771831776862724, 2.367124521371111, 0.28614609769294447},
      kTol, kTol);
  CHECK(nn::optim::AdamWOptions().weight_decay() == 1e-2);
  CHECK(nn::optim::AdamOptions().weight_decay() == 0);
}

TEST_CASE("RMSprop matches PyTorch: plain and centered with momentum and weight decay", "[optim]") {
  // RMSprop(p, lr=0.01)
  check_values(tensor(run<nn::optim::RMSprop>(nn::optim::RMSpropOptions(0.01))),
               {0.6943897603192702, -1.6830962735687558, 0.21275367477461143, 2.682053913046103, -0.027790229768981302,
                -1.459896277330537, 2.355361303489315, 0.4602943852795317},
               kTol, kTol);
  // RMSprop(p, lr=0.01, alpha=0.9, centered=True, momentum=0.9, weight_decay=0.1)
  check_values(tensor(run<nn::optim::RMSprop>(
                   nn::optim::RMSpropOptions(0.01).alpha(0.9).centered(true).momentum(0.9).weight_decay(0.1))),
               {0.6645656415308238, -1.6587042361381437, 0.17426085904316327, 2.657987008522993, -0.0465866579915146,
                -1.482292580492587, 2.3719978660243375, 0.4478179686583911},
               kTol, kTol);
}

TEST_CASE("optimizers update float32 parameters in float32", "[optim]") {
  Problem pb(kFloat32);
  nn::optim::Adam opt(pb.params(), nn::optim::AdamOptions(0.1));
  train(opt, pb, 5);
  REQUIRE(pb.x.dtype() == kFloat32);
  REQUIRE(opt.state(pb.x).at("exp_avg").dtype() == kFloat32);
  REQUIRE(opt.state(pb.x).at("step").item<double>() == 5);
  check_values(pb.x, {0.5068637089650823, -1.5021190045482795, 0.019381494924545467, 2.501779472478992}, 1e-5, 1e-5);
}

TEST_CASE("param groups have their own options; params without grad are skipped", "[optim]") {
  Problem pb;
  Tensor unused = tensor(std::vector<double>{7.0, 8.0}).requires_grad_();
  nn::optim::SGD opt(
      {nn::optim::ParamGroup({pb.x, unused}),
       nn::optim::ParamGroup({pb.w}, nn::optim::SGDOptions(0.1).momentum(0.9).dampening(0.1).weight_decay(0.01))},
      nn::optim::SGDOptions(0.1));
  train(opt, pb, 5);
  // x as plain SGD(lr=0.1), w as SGD(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01) above
  check_values(pb.x, {0.5495390000000001, -1.4118304375000001, 0.09660799999999997, 2.8529701497000004}, kTol, kTol);
  check_values(pb.w, {-0.8839152069912474, -1.5449607130547975, 2.579983144501299, -0.17153756572628798}, kTol, kTol);
  check_values(unused, {7.0, 8.0}, 0, 0);
  CHECK(opt.state(unused).empty());
  CHECK(opt.parameters().size() == 3);

  CHECK(opt.lr(0) == 0.1);
  opt.set_lr(1, 0.02);
  CHECK(opt.lr(1) == 0.02);
  opt.set_lr(0.3);
  CHECK((opt.lr(0) == 0.3 && opt.lr(1) == 0.3));
  REQUIRE_THROWS_AS(opt.lr(2), Error);

  // zero_grad resets to undefined by default, or to zeros.
  REQUIRE(pb.x.grad().defined());
  opt.zero_grad(false);
  check_values(pb.x.grad(), {0, 0, 0, 0}, 0, 0);
  opt.zero_grad();
  CHECK(!pb.x.grad().defined());
  opt.step();  // no grads: nothing changes
  check_values(pb.x, {0.5495390000000001, -1.4118304375000001, 0.09660799999999997, 2.8529701497000004}, kTol, kTol);
}

TEST_CASE("optimizer options are validated", "[optim]") {
  Problem pb;
  REQUIRE_THROWS_WITH(nn::optim::SGD(pb.params(), nn::optim::SGDOptions(0.1).nesterov(true)),
                      Catch::Contains("nesterov"));
  REQUIRE_THROWS_WITH(nn::optim::Adam(pb.params(), nn::optim::AdamOptions(0.1).betas({0.9, 1.0})),
                      Catch::Contains("beta"));
  REQUIRE_THROWS_WITH(nn::optim::RMSprop(pb.params(), nn::optim::RMSpropOptions(-1)), Catch::Contains("learning rate"));
  REQUIRE_THROWS_WITH(nn::optim::SGD({pb.x * 2}), Catch::Contains("non-leaf"));
  REQUIRE_THROWS_WITH(nn::optim::SGD({pb.x, pb.x}), Catch::Contains("more than once"));
}

// ---- state_dict ----

namespace {

// Train 3 steps and save; train 2 more (A). Restore the save into a fresh
// optimizer over fresh parameters and train 2 (B). A and B must agree exactly.
template <typename Opt, typename Options>
void check_resume(const Options& options, bool with_scheduler = false) {
  Problem pa;
  Opt opt_a(pa.params(), options);
  std::unique_ptr<nn::optim::LRScheduler> sched_a;
  if (with_scheduler) sched_a = std::make_unique<nn::optim::CosineAnnealingLR>(opt_a, 4, 0.001);
  train(opt_a, pa, 3, sched_a.get());
  nn::StateDict saved = opt_a.state_dict();
  nn::StateDict saved_sched = sched_a ? sched_a->state_dict() : nn::StateDict{};
  Tensor x3 = pa.x.detach().clone(), w3 = pa.w.detach().clone();
  train(opt_a, pa, 2, sched_a.get());

  Problem pb(x3, w3);
  Opt opt_b(pb.params(), Options());  // other hyperparameters: the state dict brings them
  std::unique_ptr<nn::optim::LRScheduler> sched_b;
  if (with_scheduler) sched_b = std::make_unique<nn::optim::CosineAnnealingLR>(opt_b, 4, 0.001);
  opt_b.load_state_dict(saved);
  if (sched_b) sched_b->load_state_dict(saved_sched);
  train(opt_b, pb, 2, sched_b.get());
  check_exact(pb.values(), pa.values());
  CHECK(opt_b.lr() == opt_a.lr());
  if (with_scheduler) CHECK(sched_b->last_epoch() == 5);
}

}  // namespace

TEST_CASE("optimizer state_dict names state and hyperparameters like PyTorch", "[optim]") {
  Problem pb;
  nn::optim::Adam opt(pb.params(), nn::optim::AdamOptions(0.1).betas({0.8, 0.9}).amsgrad(true));
  train(opt, pb, 2);
  nn::StateDict d = opt.state_dict();
  for (const char* key : {"state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq",
                          "state.1.exp_avg", "group.0.params", "group.0.lr", "group.0.betas.0", "group.0.betas.1",
                          "group.0.eps", "group.0.weight_decay", "group.0.amsgrad"}) {
    INFO(key);
    CHECK(d.count(key) == 1);
  }
  CHECK(d.at("state.1.step").item<double>() == 2);
  CHECK(d.at("group.0.lr").dtype() == kFloat64);
  CHECK(d.at("group.0.lr").dim() == 0);
  CHECK(d.at("group.0.betas.0").item<double>() == 0.8);
  check_values(d.at("group.0.params"), {0, 1}, 0, 0);
  CHECK(d.at("state.1.exp_avg").shape() == Shape{2, 2});
  // The dict holds copies: further steps leave it alone.
  std::vector<double> before = d.at("state.0.exp_avg").to_vector<double>();
  train(opt, pb, 1);
  check_exact(d.at("state.0.exp_avg").to_vector<double>(), before);
}

TEST_CASE("optimizer state_dict round trip resumes training exactly", "[optim]") {
  check_resume<nn::optim::SGD>(nn::optim::SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(0.1));
  check_resume<nn::optim::Adam>(nn::optim::AdamOptions(0.1).betas({0.9, 0.5}).weight_decay(0.1).amsgrad(true), true);
  check_resume<nn::optim::AdamW>(nn::optim::AdamWOptions(0.1).weight_decay(0.1));
  check_resume<nn::optim::RMSprop>(nn::optim::RMSpropOptions(0.01).alpha(0.9).centered(true).momentum(0.9));
}

TEST_CASE("optimizer load_state_dict rejects mismatches and changes nothing", "[optim]") {
  Problem pa;
  nn::optim::Adam adam(pa.params(), nn::optim::AdamOptions(0.1));
  train(adam, pa, 1);
  nn::StateDict saved = adam.state_dict();

  Problem pb;
  nn::optim::SGD sgd(pb.params(), nn::optim::SGDOptions(0.1));
  REQUIRE_THROWS_WITH(sgd.load_state_dict(saved), Catch::Contains("SGD") && Catch::Contains("momentum"));

  Tensor other_shape = tensor(std::vector<double>{1, 2, 3}).requires_grad_();
  nn::optim::Adam wrong_shape({pb.x, other_shape}, nn::optim::AdamOptions(0.5));
  REQUIRE_THROWS_WITH(wrong_shape.load_state_dict(saved), Catch::Contains("state.1.") && Catch::Contains("(3)"));
  CHECK(wrong_shape.lr() == 0.5);
  CHECK(wrong_shape.state(pb.x).empty());

  nn::optim::Adam fewer({pb.x}, nn::optim::AdamOptions(0.5));
  REQUIRE_THROWS_WITH(fewer.load_state_dict(saved), Catch::Contains("parameters in the state dict"));

  nn::optim::Adam two_groups({nn::optim::ParamGroup({pb.x}), nn::optim::ParamGroup({pb.w})});
  REQUIRE_THROWS_WITH(two_groups.load_state_dict(saved), Catch::Contains("1 param groups") && Catch::Contains("has 2"));

  nn::StateDict extra = saved;
  extra["state.0.velocity"] = zeros({4}, kFloat64);
  nn::optim::Adam same(pb.params());
  REQUIRE_THROWS_WITH(same.load_state_dict(extra), Catch::Contains("state.0.velocity"));
}

// ---- gradient clipping ----

TEST_CASE("clip_grad_norm_ and clip_grad_value_ against hand computation", "[optim]") {
  Tensor p = zeros({2}, kFloat64).requires_grad_(), q = zeros({1, 1}, kFloat64).requires_grad_();
  Tensor none = zeros({3}, kFloat64).requires_grad_();
  auto set_grads = [&] {
    p.set_grad(tensor(std::vector<double>{3, -4}));
    q.set_grad(tensor(std::vector<double>{12}, {1, 1}));
  };
  // total = sqrt(9 + 16 + 144) = 13 > 6.5: g *= 6.5 / (13 + 1e-6)
  set_grads();
  double total = nn::optim::clip_grad_norm_({p, q, none}, 6.5);
  CHECK(total == Approx(13).epsilon(1e-15));
  double c = 6.5 / (13 + 1e-6);
  check_values(p.grad(), {3 * c, -4 * c}, 1e-15, 1e-15);
  check_values(q.grad(), {12 * c}, 1e-15, 1e-15);
  CHECK(!none.grad().defined());
  // Below max_norm: unchanged.
  set_grads();
  CHECK(nn::optim::clip_grad_norm_({p, q}, 100) == Approx(13));
  check_values(p.grad(), {3, -4}, 0, 0);
  // norm_type 1: 3 + 4 + 12 = 19; infinity: 12.
  CHECK(nn::optim::clip_grad_norm_({p, q}, 100, 1) == Approx(19));
  CHECK(nn::optim::clip_grad_norm_({p, q}, 6, INFINITY) == Approx(12));
  check_values(q.grad(), {12 * 6 / (12 + 1e-6)}, 1e-12, 1e-12);
  // float32 gradients; no gradients at all.
  Tensor f = zeros({2}).requires_grad_();
  f.set_grad(tensor(std::vector<float>{6, 8}));
  CHECK(nn::optim::clip_grad_norm_({f}, 1) == Approx(10));
  check_values(f.grad(), {0.6, 0.8}, 1e-6, 1e-6);
  CHECK(nn::optim::clip_grad_norm_({none}, 1) == 0);
  // Non-finite totals throw only when asked to.
  p.set_grad(tensor(std::vector<double>{NAN, 1}));
  REQUIRE_THROWS_AS(nn::optim::clip_grad_norm_({p}, 1, 2, true), Error);
  // clip_grad_value_: clamp to [-2.5, 2.5]
  set_grads();
  nn::optim::clip_grad_value_({p, q, none}, 2.5);
  check_values(p.grad(), {2.5, -2.5}, 0, 0);
  check_values(q.grad(), {2.5}, 0, 0);
}

// ---- LR schedulers ----
//
// PyTorch 1.13, two param groups (lr 0.1 and 0.5), get_last_lr() after construction and after each of 10 steps:
//   opt = torch.optim.SGD([{"params": p}, {"params": q, "lr": 0.5}], lr=0.1); s = make(opt)
//   out = [s.get_last_lr()]
//   for _ in range(10): opt.step(); s.step(); out.append(s.get_last_lr())

namespace {

template <typename Make>
void check_schedule(Make make, const std::vector<double>& g0, const std::vector<double>& g1) {
  Tensor p = zeros({1}).requires_grad_(), q = zeros({1}).requires_grad_();
  nn::optim::SGD opt({nn::optim::ParamGroup({p}), nn::optim::ParamGroup({q}, nn::optim::SGDOptions(0.5))},
                     nn::optim::SGDOptions(0.1));
  auto sched = make(opt);
  std::vector<double> got0, got1;
  for (int i = 0; i <= 10; ++i) {
    if (i > 0) sched->step();
    std::vector<double> lr = sched->get_last_lr();
    REQUIRE(lr.size() == 2);
    CHECK(opt.lr(0) == lr[0]);
    CHECK(opt.lr(1) == lr[1]);
    got0.push_back(lr[0]);
    got1.push_back(lr[1]);
  }
  check_values(tensor(got0), g0, 1e-15, 1e-13);
  check_values(tensor(got1), g1, 1e-15, 1e-13);
}

}  // namespace

TEST_CASE("LR schedulers match PyTorch", "[optim]") {
  // S.StepLR(o, step_size=3, gamma=0.5)
  check_schedule([](nn::optim::Optimizer& o) { return std::make_unique<nn::optim::StepLR>(o, 3, 0.5); },
                 {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125},
                 {0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125, 0.125, 0.0625, 0.0625});
  // S.ExponentialLR(o, gamma=0.9)
  check_schedule(
      [](nn::optim::Optimizer& o) { return std::make_unique<nn::optim::ExponentialLR>(o, 0.9); },
      {0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002, 0.06561000000000002, 0.05904900000000002,
       0.05314410000000002, 0.04782969000000002, 0.043046721000000024, 0.03874204890000002, 0.03486784401000002},
      {0.5, 0.45, 0.405, 0.36450000000000005, 0.32805000000000006, 0.2952450000000001, 0.2657205000000001,
       0.23914845000000007, 0.21523360500000008, 0.19371024450000007, 0.17433922005000008});
  // S.CosineAnnealingLR(o, T_max=6, eta_min=0.001), past T_max too
  check_schedule([](nn::optim::Optimizer& o) { return std::make_unique<nn::optim::CosineAnnealingLR>(o, 6, 0.001); },
                 {0.1, 0.09336825748732973, 0.07525000000000001, 0.0505, 0.025750000000000012, 0.007631742512670284,
                  0.001, 0.007631742512670284, 0.025750000000000002, 0.05050000000000004, 0.07525000000000008},
                 {0.5, 0.4665733382442175, 0.37525000000000003, 0.2505, 0.12575000000000006, 0.034426661755782545,
                  0.001, 0.034426661755782545, 0.12575, 0.25050000000000017, 0.37525000000000036});
  // S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=4)
  check_schedule([](nn::optim::Optimizer& o) { return std::make_unique<nn::optim::LinearLR>(o, 0.1, 1.0, 4); },
                 {0.010000000000000002, 0.03250000000000001, 0.055000000000000014, 0.07750000000000003,
                  0.10000000000000003, 0.10000000000000003, 0.10000000000000003, 0.10000000000000003,
                  0.10000000000000003, 0.10000000000000003, 0.10000000000000003},
                 {0.05, 0.1625, 0.275, 0.38750000000000007, 0.5000000000000001, 0.5000000000000001, 0.5000000000000001,
                  0.5000000000000001, 0.5000000000000001, 0.5000000000000001, 0.5000000000000001});
  // S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=3), S.CosineAnnealingLR(o, T_max=5)],
  //                milestones=[3])
  check_schedule(
      [](nn::optim::Optimizer& o) {
        auto warmup = std::make_shared<nn::optim::LinearLR>(o, 0.1, 1.0, 3);
        auto cosine = std::make_shared<nn::optim::CosineAnnealingLR>(o, 5);
        return std::make_unique<nn::optim::SequentialLR>(
            o, std::vector<std::shared_ptr<nn::optim::LRScheduler>>{warmup, cosine}, std::vector<int64_t>{3});
      },
      {0.010000000000000002, 0.04, 0.07, 0.1, 0.09045084971874738, 0.06545084971874737, 0.03454915028125263,
       0.009549150281252633, 0.0, 0.009549150281252628, 0.03454915028125265},
      {0.05, 0.19999999999999998, 0.35, 0.5, 0.45225424859373686, 0.32725424859373686, 0.17274575140626314,
       0.04774575140626316, 0.0, 0.04774575140626314, 0.17274575140626322});
}

TEST_CASE("LR scheduler state_dict round trip", "[optim]") {
  Tensor p = zeros({1}).requires_grad_();
  nn::optim::SGD opt({p}, nn::optim::SGDOptions(0.1));
  nn::optim::StepLR sched(opt, 2, 0.5);
  for (int i = 0; i < 5; ++i) sched.step();
  nn::StateDict saved_opt = opt.state_dict(), saved = sched.state_dict();
  CHECK(saved.at("last_epoch").item<int64_t>() == 5);
  CHECK(saved_opt.at("group.0.initial_lr").item<double>() == 0.1);

  Tensor p2 = zeros({1}).requires_grad_();
  nn::optim::SGD opt2({p2}, nn::optim::SGDOptions(0.7));
  nn::optim::StepLR sched2(opt2, 2, 0.5);
  opt2.load_state_dict(saved_opt);
  sched2.load_state_dict(saved);
  CHECK(sched2.get_last_lr() == sched.get_last_lr());
  CHECK(opt2.lr() == opt.lr());
  sched.step();
  sched2.step();
  CHECK(opt2.lr() == opt.lr());
  CHECK(opt2.lr() == 0.1 * 0.125);
  REQUIRE_THROWS_AS(sched2.load_state_dict(nn::StateDict{}), Error);
}

// ---- EMA of weights ----

TEST_CASE("ExponentialMovingAverage against hand computation", "[optim]") {
  NoGradGuard no_grad;  // the test sets parameter values directly
  Tensor p = tensor(std::vector<double>{1, 2}).requires_grad_();

  SECTION("with torch-ema's warm-up: decay_n = min(decay, (1+n)/(10+n))") {
    nn::optim::ExponentialMovingAverage ema({p}, 0.999);
    p.copy_(tensor(std::vector<double>{3, 0}));
    CHECK(ema.current_decay() == Approx(2.0 / 11));
    ema.update();  // d = 2/11: shadow = 2/11 [1,2] + 9/11 [3,0] = [29/11, 4/11]
    check_values(ema.shadow_params()[0], {29.0 / 11, 4.0 / 11}, 1e-15, 1e-15);
    p.copy_(tensor(std::vector<double>{1, 1}));
    ema.update();  // d = 3/12
    check_values(ema.shadow_params()[0], {0.25 * 29 / 11 + 0.75, 0.25 * 4 / 11 + 0.75}, 1e-15, 1e-15);
    CHECK(ema.num_updates() == 2);

    // Evaluate with the EMA weights, then put the trained ones back.
    ema.store();
    ema.copy_to();
    check_values(p, ema.shadow_params()[0].to_vector<double>(), 0, 0);
    ema.restore();
    check_values(p, {1, 1}, 0, 0);

    // state_dict round trip: both continue identically.
    nn::optim::ExponentialMovingAverage other({p}, 0.5, false);
    other.load_state_dict(ema.state_dict());
    CHECK(other.num_updates() == 2);
    CHECK(other.decay() == 0.999);
    ema.update();
    other.update();
    check_exact(other.shadow_params()[0].to_vector<double>(), ema.shadow_params()[0].to_vector<double>());
    REQUIRE_THROWS_AS(other.load_state_dict(nn::StateDict{}), Error);
  }

  SECTION("plain decay") {
    nn::optim::ExponentialMovingAverage ema({p}, 0.9, /*use_num_updates=*/false);
    p.copy_(tensor(std::vector<double>{11, -8}));
    ema.update();  // shadow = 0.9 [1,2] + 0.1 [11,-8] = [2, 1]
    check_values(ema.shadow_params()[0], {2, 1}, 1e-15, 1e-15);
    ema.update({p});
    check_values(ema.shadow_params()[0], {2.9, 0.1}, 1e-14, 1e-14);
    REQUIRE_THROWS_WITH(ema.update({p, p}), Catch::Contains("2 parameters"));
  }
}
