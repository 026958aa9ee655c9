// `dgm eval RUN --fid`: sample quality of a trained image model measured with dgm's own feature network
// (feature_cache.h), against the data set's test split:
//   FID (fid.h), the Inception-style score of the classifier's logits (inception_score.h, 5 splits), improved
//   precision and recall (precision_recall.h, k = 3), and for a conditional model (num_classes() > 0) the
//   classifier's accuracy on samples drawn with labels cycling 0..C-1, per class.
// Baselines computed beside it, so that a number means something:
//   floor    n training images against the test split (what a perfect model would score)
//   blurred  the test split blurred by a Gaussian (sigma 1 pixel, 7x7 taps) against itself
//   noised   the test split plus N(0, 0.1^2) pixel noise (not clamped) against itself
// Images are what generate(n) returns, in [0, 1]; 32x32 ones are resized bilinearly to 28x28 first.
#pragma once
#include <string>
#include <vector>

#include "models/eval/feature_cache.h"
#include "models/eval/inception_score.h"
#include "models/eval/precision_recall.h"
#include "models/model.h"

namespace dgm::models::eval {

struct EvalOptions {
  int64_t n = 10000;      // generated images (and training images of the floor)
  int64_t chunk = 500;    // images per generate / classifier call
  uint64_t seed = 0;      // the model's random draws and the noise baseline
  int64_t k = 3;          // precision / recall neighbours
  int64_t splits = 5;     // Inception-style score splits
  double blur_sigma = 1;  // pixels
  double noise_sigma = 0.1;
  double guidance = 0;     // the samples' SampleOptions::guidance (conditional models; 0: none)
  int64_t steps = 0;       // the samples' SampleOptions::steps (0: the model's default)
  std::string ode_method;  // the samples' SampleOptions::ode_method ("": the model's default)
};

// The metrics of one image set against the test split.
struct SetMetrics {
  std::string name;  // "model", "floor: train vs test", ...
  int64_t n = 0;
  double fid = 0;
  InceptionScore is;
  PrecisionRecall pr;
};

struct EvalReport {
  std::string features;                // "dgm MNIST features"
  double test_accuracy = 0;            // the classifier on the test split (its own sanity)
  InceptionScore test_is;              // the test split's own score: what real data reaches
  std::vector<SetMetrics> rows;        // model first, then floor, blurred, noised
  std::vector<double> class_accuracy;  // per class, conditional models only
  double sampled_accuracy = -1;        // mean of class_accuracy (-1: unconditional)
  int64_t function_evaluations = 0;    // an ODE sampler's NFE per generate call (0: not an ODE sampler)
};

// Classifier features and logits of images (N,1,28,28) or (N,1,32,32) in [0, 1], in chunks.
std::pair<Tensor, Tensor> features_and_logits(Classifier& net, const Tensor& images, int64_t chunk);
// Gaussian blur of images (N,1,H,W): sigma in pixels, taps 2 * ceil(3 sigma) + 1, zero padding.
Tensor gaussian_blur(const Tensor& images, double sigma);
// n images from model.generate in chunks (labels cycling over the classes for a conditional model), as (n,C,H,W)
// float32 on the CPU; labels written to *labels when the model is conditional. guidance and steps go to
// SampleOptions as they are (`base`: gen, guidance, steps, ode_method; its labels are ignored); an ODE sampler's
// function evaluations are added to *base.function_evaluations when it is set.
Tensor generate_images(GenerativeModel& model, int64_t n, int64_t chunk, const SampleOptions& base, Tensor* labels);

// test: the test split (x (N,1,28,28) in [0, 1], y labels); train_x: training images in [0, 1].
EvalReport evaluate_images(GenerativeModel& model, const FeatureNetwork& net, const Batch& test, const Tensor& train_x,
                           const EvalOptions& options);

}  // namespace dgm::models::eval
