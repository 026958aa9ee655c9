#include "models/flows/planar_flow_model.h"
#include "models/flows/specs.h"
#include "models/train/presets.h"

namespace dgm::models::flows {

using train::settings;

namespace {

TrainSettings preset(int64_t epochs, int64_t batch, double lr, int64_t samples, std::string expected) {
  TrainSettings t = settings(epochs, batch, lr);
  t.samples = samples;
  t.expected_time = std::move(expected);
  return t;
}

// Seminar 3's forward KL on moons (10000 points, 80/20): EPOCHS=80, BATCH=256, LR=1e-2, Adam.
void add_moons(Registry& r, const std::string& layer, const std::string& quick_time, const std::string& course_time) {
  ModelSpec s;
  s.name = layer + "-moons";
  s.family = "flows";
  s.course = "seminar 3 (forward KL), seminar 2";
  s.description = "64 " + layer +
                  " layers applied to the data (x -> z), N(0, I) base, maximum likelihood; sampling inverts the "
                  "layers numerically";
  s.loss_unit = "negative log-likelihood, nats per point";
  s.datasets = {"moons"};
  s.transform = "none";
  s.toy_size = 10000;
  s.presets = {{"quick", preset(40, 256, 1e-2, 1000, quick_time)},
               {"course", preset(80, 256, 1e-2, 1000, course_time)}};
  s.make = [layer](const MakeContext&) { return std::make_shared<PlanarFlow>(layer, 2, 64); };
  r.add(std::move(s));
}

// Seminar 3's reverse KL to exp(-U)/Z: base batches of 256, 50 per epoch (12800 train points), EPOCHS=80, LR=5e-3.
void add_energy(Registry& r, const std::string& energy, const std::string& formula, const std::string& quick_time,
                const std::string& course_time) {
  ModelSpec s;
  s.name = "planar-" + energy;
  s.family = "flows";
  s.course = "seminar 3 (reverse KL), Rezende & Mohamed 2015 Table 1";
  s.description =
      "64 planar layers z0 -> x from N(0, I), reverse KL to exp(-U)/Z confined to [-4,4]^2 by a wall, " + formula +
      "; test 'kl' = KL(q || p) = loss + log Z (log Z by quadrature on a 3200x3200 grid), 'outside_box' the "
      "share of draws outside [-4,4]^2";
  s.loss_unit = "E_q[log q(x) + U(x)] = KL(q || p) - log Z, nats per draw (the data only set the batch size)";
  s.datasets = {"energy-" + energy};
  s.transform = "none (exact samples of p, for the pictures and the test split)";
  s.toy_size = 16000;
  s.presets = {{"quick", preset(40, 256, 5e-3, 1000, quick_time)},
               {"course", preset(80, 256, 5e-3, 1000, course_time)}};
  s.make = [energy](const MakeContext&) { return std::make_shared<PlanarFlow>("planar", 2, 64, energy); };
  r.add(std::move(s));
}

}  // namespace

void register_planar_models(Registry& r) {
  // Times measured with --threads 2 on the 2-core machine shared with other builds: wall (CPU) seconds.
  add_moons(r, "planar",
            "112 s wall (20 s CPU) on 2 CPU cores, test NLL 1.555 nats per point; the density is one sharp moon and a "
            "faint second one (measured, shared machine, load 9-10)",
            "66 s wall (42 s CPU) on 2 CPU cores, test NLL 1.378 (measured, shared machine, load 8)");
  add_moons(r, "radial",
            "130 s wall (34 s CPU) on 2 CPU cores, test NLL 1.137 nats per point, both moons (measured, shared "
            "machine, load 9-10)",
            "about 70 s CPU on 2 CPU cores (estimated: twice the quick preset's 34 s); not measured");
  add_energy(r, "u1", "U1 (ring with two lobes)",
             "104 s wall (44 s CPU) on 2 CPU cores, test kl 0.945, one of the two lobes (reverse KL seeks a mode) "
             "(measured, shared machine, load 3.5-4)",
             "145 s wall (81 s CPU) on 2 CPU cores, test kl 0.748, one lobe (measured, shared machine, load 3-4)");
  add_energy(r, "u2", "U2 (sine wave)",
             "44 s wall (32 s CPU) on 2 CPU cores, test kl 1.499, one rising stretch of the wave (measured, shared "
             "machine, load 3.5-4)",
             "152 s wall (70 s CPU) on 2 CPU cores, test kl 0.794 (measured, shared machine, load 4)");
  add_energy(r, "u3", "U3 (split sine wave)",
             "42 s wall (39 s CPU) on 2 CPU cores, test kl 1.090, the right half of the wave around the split, 3.6 % "
             "of the draws "
             "outside the box (measured, shared machine, load 3.5)",
             "about 70-80 s CPU on 2 CPU cores (estimated from planar-u1 and planar-u2); not measured");
  add_energy(r, "u4", "U4 (sine and step)",
             "39 s wall (37 s CPU) on 2 CPU cores, test kl 1.080, the left part of the wave (measured, shared "
             "machine, load 3.5)",
             "about 70-80 s CPU on 2 CPU cores (estimated from planar-u1 and planar-u2); not measured");
  add_energy(r, "ring", "U = 1/2 ((|z| - 2) / 0.4)^2 (ring)",
             "42 s wall (37 s CPU) on 2 CPU cores, test kl 0.088, the whole ring (measured, shared machine, load "
             "3.5-4)",
             "about 70-80 s CPU on 2 CPU cores (estimated from planar-u1 and planar-u2); not measured");
}

}  // namespace dgm::models::flows
