#include "models/train/trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>

#include "autograd/grad_mode.h"
#include "models/train/checkpoint.h"
#include "models/train/finite.h"
#include "models/train/progress.h"
#include "nn/data/dataloader.h"
#include "nn/io/metrics.h"
#include "nn/io/plot.h"

namespace dgm::models::train {

namespace fs = std::filesystem;

int64_t steps_per_epoch(int64_t n, int64_t batch_size) {
  DGM_CHECK(n >= 0 && batch_size > 0, "steps_per_epoch: need n >= 0 and batch_size > 0, got ", n, " and ", batch_size);
  return (n + batch_size - 1) / batch_size;
}

Trainer::Trainer(std::shared_ptr<GenerativeModel> model, std::shared_ptr<Optimizers> optimizers, TrainOptions options)
    : model_(std::move(model)), optimizers_(std::move(optimizers)), options_(std::move(options)) {
  DGM_CHECK(model_, "Trainer: a model is required");
  DGM_CHECK(options_.epochs >= 0 && options_.batch_size > 0, "Trainer: epochs must be >= 0 and batch_size > 0, got ",
            options_.epochs, " and ", options_.batch_size);
  DGM_CHECK(options_.ema_decay >= 0 && options_.ema_decay < 1,
            "Trainer: ema_decay must lie in [0, 1) (0: no EMA), got ", options_.ema_decay);
  // The plain EMA of DDPM-style code (no warm-up of the decay).
  if (options_.ema_decay > 0)
    ema_ = std::make_unique<nn::optim::ExponentialMovingAverage>(model_->parameters(), options_.ema_decay,
                                                                 /*use_num_updates=*/false);
}

std::string Trainer::path(const std::string& file) const { return (fs::path(options_.out_dir) / file).string(); }

void Trainer::with_averaged_weights(const std::function<void()>& f) {
  if (!ema_) return f();
  ema_->store();
  ema_->copy_to();
  try {
    f();
  } catch (...) {
    ema_->restore();
    throw;
  }
  ema_->restore();
}

namespace {

// Puts the model in eval mode and back into the mode it was in, also when an exception leaves.
struct EvalMode {
  nn::Module& model;
  bool was_training;
  explicit EvalMode(nn::Module& m) : model(m), was_training(m.is_training()) { model.eval(); }
  ~EvalMode() { model.train(was_training); }
};

// Means of each loss over the examples of the batches that reported it (a GAN's
// generator loss appears only on the generator's steps).
struct LossMeans {
  std::map<std::string, double> sums, counts;
  void add(const Losses& losses, int64_t n) {
    for (const auto& [key, value] : losses) {
      sums[key] += value.item<double>() * static_cast<double>(n);
      counts[key] += static_cast<double>(n);
    }
  }
  LossValues means() const {
    LossValues out;
    for (const auto& [key, sum] : sums) out[key] = sum / counts.at(key);
    return out;
  }
};

}  // namespace

LossValues Trainer::evaluate(const Batch& data) {
  NoGradGuard no_grad;
  EvalMode eval_mode(*model_);
  LossMeans means;
  with_averaged_weights([&] {
    for (int64_t start = 0; start < data.size(); start += options_.batch_size) {
      const int64_t n = std::min(options_.batch_size, data.size() - start);
      means.add(model_->loss(data.narrow(start, n).to(options_.device)), n);
    }
  });
  return means.means();
}

LossValues Trainer::train_epoch(const Batch& train) {
  model_->train();
  nn::data::DataLoader loader(
      nn::data::TensorDataset(train.tensors()),
      nn::data::DataLoaderOptions{options_.batch_size, /*shuffle=*/true, /*drop_last=*/false, options_.seed});
  loader.set_epoch(epoch_);  // the order depends on (seed, epoch) only, so a resumed run sees the same batches
  nn::io::MetricsWriter metrics(path("metrics.jsonl"));
  ProgressBar bar("epoch " + std::to_string(epoch_ + 1) + "/" + std::to_string(options_.epochs), loader.size(),
                  options_.log);
  LossMeans means;
  int64_t batch_index = 0;
  double running = 0;
  const std::string& shown = optimizers_->loss_key();
  for (const auto& tensors : loader) {
    const Batch batch = Batch::from_tensors(tensors, train.has_labels(), train.has_pair()).to(options_.device);
    Losses losses;
    try {
      losses = model_->train_step(batch, *optimizers_);
    } catch (const Diverged& e) {  // an optimizer met a NaN or infinite gradient
      diverged("at epoch " + std::to_string(epoch_ + 1) + ", step " + std::to_string(step_ + 1), e.what());
    }
    DGM_CHECK(!losses.empty(), model_->name(), "::train_step returned no losses to log");
    std::map<std::string, double> values;
    for (const auto& [key, value] : losses) {
      values[key] = value.item<double>();
      if (!std::isfinite(values[key]))
        diverged("at epoch " + std::to_string(epoch_ + 1) + ", step " + std::to_string(step_ + 1),
                 "loss \"" + key + "\" is " + std::to_string(values[key]));
    }
    optimizers_->end_step();
    if (ema_) ema_->update();
    ++step_;
    ++batch_index;
    nn::io::MetricRecord record{{"step", step_}, {"epoch", epoch_ + 1}, {"split", "train_step"}};
    for (const auto& [key, value] : values) record.set(key, value);
    means.add(losses, batch.size());
    metrics.write(record);
    const double loss = values.count(shown) ? values.at(shown) : values.begin()->second;
    running = batch_index == 1 ? loss : 0.95 * running + 0.05 * loss;
    bar.update(batch_index, running);
  }
  bar.finish(running);
  optimizers_->end_epoch();
  return means.means();
}

void Trainer::write_pictures(const Batch& test) {
  NoGradGuard no_grad;
  EvalMode eval_mode(*model_);
  // The same draws every epoch, from a generator of their own, so that
  // pictures never shift the training stream (a resumed run stays identical).
  Generator gen(options_.seed + 1);
  with_averaged_weights([&] {
    model_->save_pictures(options_.out_dir, test.narrow(0, std::min<int64_t>(64, test.size())).to(options_.device),
                          options_.n_samples, &gen);
  });
}

void Trainer::plot_losses() const {
  nn::io::CurveSet curves;
  const std::string& key = optimizers_->loss_key();
  const double steps_per_epoch =
      static_cast<double>(std::max<int64_t>(step_, 1)) / static_cast<double>(std::max<int64_t>(epoch_, 1));
  for (const nn::io::MetricRecord& r : nn::io::read_metrics(path("metrics.jsonl"))) {
    if (!r.contains(key) || !r.contains("split")) continue;
    const std::string& split = r.text("split");
    // Series are drawn in key order: the numbers put the test curve on top.
    if (split == "train_step")
      curves["1 train, per step"].push_back({r.number("step") / steps_per_epoch, r.number(key)});
    else if (split == "test")
      curves["2 test, per epoch"].push_back({r.number("epoch"), r.number(key)});
  }
  nn::io::plot_curves(path("losses.png"), curves, key + " per epoch");
}

void Trainer::diverged(const std::string& when, const std::string& what) const {
  const std::string kept = saved_step_ < 0
                               ? "no checkpoint was written yet"
                               : "the checkpoint in " + options_.out_dir + " is the last good one (epoch " +
                                     std::to_string(saved_epoch_) + ", step " + std::to_string(saved_step_) + ")";
  throw Diverged("training diverged " + when + ": " + what + "; " + kept +
                 "; try a smaller --lr or --clip-grad, then resume or start again");
}

LossValues Trainer::fit(const Batch& train, const Batch& test) {
  DGM_CHECK(optimizers_, "Trainer::fit: training needs optimizers (a Trainer without them only evaluates)");
  DGM_CHECK(train.size() > 0 && test.size() > 0, "Trainer::fit: ", train.size(), " training and ", test.size(),
            " test examples; both must be > 0");
  fs::create_directories(options_.out_dir);
  const std::string ckpt = path("checkpoint.safetensors");
  if (options_.resume) {
    DGM_CHECK(fs::exists(ckpt), "Trainer: --resume given but ", ckpt, " does not exist");
    CheckpointInfo info = load_checkpoint(ckpt, *model_, optimizers_.get(), ema_.get());
    epoch_ = saved_epoch_ = info.epoch;
    step_ = saved_step_ = info.step;
    // Drop what a run wrote after its last checkpoint, so the log has no duplicate epochs.
    std::vector<nn::io::MetricRecord> kept;
    for (const nn::io::MetricRecord& r : nn::io::read_metrics(path("metrics.jsonl")))
      if (!r.contains("epoch") || r.number("epoch") <= static_cast<double>(epoch_)) kept.push_back(r);
    nn::io::write_metrics(path("metrics.jsonl"), kept);
    DGM_CHECK(epoch_ < options_.epochs, "the run in ", options_.out_dir, " is finished: it trained ", epoch_,
              " epochs of ", options_.epochs, "; give --epochs N with N > ", epoch_, " to train further");
    std::fprintf(options_.log, "resuming %s after epoch %lld (step %lld)\n", ckpt.c_str(),
                 static_cast<long long>(epoch_), static_cast<long long>(step_));
  } else {
    manual_seed(options_.seed);
    nn::io::MetricsWriter(path("metrics.jsonl"), nn::io::MetricsWriter::Mode::Truncate);
  }
  LossValues test_losses;
  while (epoch_ < options_.epochs) {
    auto t0 = std::chrono::steady_clock::now();
    LossValues train_losses = train_epoch(train);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    test_losses = evaluate(test);
    for (const auto& [key, v] : test_losses)
      if (!std::isfinite(v))
        diverged("after epoch " + std::to_string(epoch_ + 1) + " (step " + std::to_string(step_) + ")",
                 "test loss \"" + key + "\" is " + std::to_string(v));
    ++epoch_;
    nn::io::MetricsWriter metrics(path("metrics.jsonl"));
    nn::io::MetricRecord train_record{{"epoch", epoch_}, {"split", "train"}, {"seconds", seconds}};
    nn::io::MetricRecord test_record{{"epoch", epoch_}, {"split", "test"}};
    std::string line = "epoch " + std::to_string(epoch_) + ": train";
    for (const auto& [key, v] : train_losses) {
      train_record.set(key, v);
      line += " " + key + " " + std::to_string(v);
    }
    line += " | test";
    for (const auto& [key, v] : test_losses) {
      test_record.set(key, v);
      line += " " + key + " " + std::to_string(v);
    }
    metrics.write(train_record);
    metrics.write(test_record);
    std::fprintf(options_.log, "%s (%.1f s)\n", line.c_str(), seconds);
    if (options_.n_samples > 0) write_pictures(test);
    plot_losses();
    save_checkpoint(ckpt, *model_, {optimizers_.get(), ema_.get()}, {epoch_, step_, options_.metadata});
    saved_epoch_ = epoch_;
    saved_step_ = step_;
    if (on_epoch_end) on_epoch_end(epoch_, test_losses);
  }
  return test_losses;
}

}  // namespace dgm::models::train
