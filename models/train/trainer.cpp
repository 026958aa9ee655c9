#include "models/train/trainer.h"

#include <chrono>
#include <filesystem>

#include "autograd/grad_mode.h"
#include "models/train/checkpoint.h"
#include "models/train/progress.h"
#include "nn/data/dataloader.h"
#include "nn/io/metrics.h"
#include "nn/io/plot.h"

namespace dgm::train {

namespace fs = std::filesystem;

Trainer::Trainer(std::shared_ptr<models::GenerativeModel> model, std::shared_ptr<optim::Optimizer> optimizer,
                 TrainOptions options)
    : model_(std::move(model)), optimizer_(std::move(optimizer)), options_(std::move(options)) {
  DGM_CHECK(model_ && optimizer_, "Trainer: model and optimizer are required");
  DGM_CHECK(options_.epochs >= 0 && options_.batch_size > 0, "Trainer: epochs must be >= 0 and batch_size > 0, got ",
            options_.epochs, " and ", options_.batch_size);
}

std::string Trainer::path(const std::string& file) const { return (fs::path(options_.out_dir) / file).string(); }

LossValues Trainer::evaluate(const Tensor& x) {
  NoGradGuard no_grad;
  const bool was_training = model_->is_training();
  model_->eval();
  LossValues sums;
  int64_t seen = 0;
  for (int64_t start = 0; start < x.size(0); start += options_.batch_size) {
    const int64_t n = std::min(options_.batch_size, x.size(0) - start);
    for (const auto& [key, value] : model_->loss(x.narrow(0, start, n).to(options_.device)))
      sums[key] += value.item<double>() * static_cast<double>(n);
    seen += n;
  }
  model_->train(was_training);
  for (auto& [key, value] : sums) value /= static_cast<double>(std::max<int64_t>(seen, 1));
  return sums;
}

LossValues Trainer::train_epoch(const Tensor& train_x) {
  model_->train();
  data::DataLoader loader(data::TensorDataset({train_x}),
                          data::DataLoaderOptions{options_.batch_size, /*shuffle=*/true, /*drop_last=*/false,
                                                  options_.seed});
  loader.set_epoch(epoch_);  // the order depends on (seed, epoch) only, so a resumed run sees the same batches
  io::MetricsWriter metrics(path("metrics.jsonl"));
  ProgressBar bar("epoch " + std::to_string(epoch_ + 1) + "/" + std::to_string(options_.epochs), loader.size(),
                  options_.log);
  LossValues sums;
  int64_t seen = 0, batch_index = 0;
  double running = 0;
  for (const auto& batch : loader) {
    const Tensor x = batch[0].to(options_.device);
    models::Losses losses = model_->loss(x);
    optimizer_->zero_grad();
    losses.at("loss").backward();
    optimizer_->step();
    ++step_;
    ++batch_index;
    io::MetricRecord record{{"step", step_}, {"epoch", epoch_ + 1}, {"split", "train_step"}};
    for (const auto& [key, value] : losses) {
      const double v = value.item<double>();
      sums[key] += v * static_cast<double>(x.size(0));
      record.set(key, v);
    }
    seen += x.size(0);
    metrics.write(record);
    const double loss = losses.at("loss").item<double>();
    running = batch_index == 1 ? loss : 0.95 * running + 0.05 * loss;
    bar.update(batch_index, running);
  }
  bar.finish(running);
  for (auto& [key, value] : sums) value /= static_cast<double>(std::max<int64_t>(seen, 1));
  return sums;
}

void Trainer::write_pictures(const Tensor& test_x) {
  NoGradGuard no_grad;
  model_->eval();
  // The same latent draws every epoch, from a generator of their own, so that
  // pictures never shift the training stream (a resumed run stays identical).
  Generator gen(options_.seed + 1);
  model_->save_pictures(options_.out_dir, test_x.narrow(0, 0, std::min<int64_t>(64, test_x.size(0))).to(options_.device),
                        options_.n_samples, &gen);
  model_->train();
}

void Trainer::plot_losses() const {
  io::CurveSet curves;
  const double steps_per_epoch = static_cast<double>(std::max<int64_t>(step_, 1)) / static_cast<double>(std::max<int64_t>(epoch_, 1));
  for (const io::MetricRecord& r : io::read_metrics(path("metrics.jsonl"))) {
    if (!r.contains("loss") || !r.contains("split")) continue;
    const std::string& split = r.text("split");
    // Series are drawn in key order: the numbers put the test curve on top.
    if (split == "train_step") curves["1 train, per step"].push_back({r.number("step") / steps_per_epoch, r.number("loss")});
    else if (split == "test") curves["2 test, per epoch"].push_back({r.number("epoch"), r.number("loss")});
  }
  io::plot_curves(path("losses.png"), curves, "loss per epoch");
}

LossValues Trainer::fit(const Tensor& train_x, const Tensor& test_x) {
  fs::create_directories(options_.out_dir);
  const std::string ckpt = path("checkpoint.safetensors");
  if (options_.resume) {
    DGM_CHECK(fs::exists(ckpt), "Trainer: --resume given but ", ckpt, " does not exist");
    CheckpointInfo info = load_checkpoint(ckpt, *model_, optimizer_.get());
    epoch_ = info.epoch;
    step_ = info.step;
    // Drop what a run wrote after its last checkpoint, so the log has no duplicate epochs.
    std::vector<io::MetricRecord> kept;
    for (const io::MetricRecord& r : io::read_metrics(path("metrics.jsonl")))
      if (!r.contains("epoch") || r.number("epoch") <= static_cast<double>(epoch_)) kept.push_back(r);
    io::write_metrics(path("metrics.jsonl"), kept);
    std::fprintf(options_.log, "resuming %s after epoch %lld (step %lld)\n", ckpt.c_str(),
                 static_cast<long long>(epoch_), static_cast<long long>(step_));
  } else {
    manual_seed(options_.seed);
    io::MetricsWriter(path("metrics.jsonl"), io::MetricsWriter::Mode::Truncate);
  }
  LossValues test;
  while (epoch_ < options_.epochs) {
    auto t0 = std::chrono::steady_clock::now();
    LossValues train = train_epoch(train_x);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    test = evaluate(test_x);
    ++epoch_;
    io::MetricsWriter metrics(path("metrics.jsonl"));
    io::MetricRecord train_record{{"epoch", epoch_}, {"split", "train"}, {"seconds", seconds}};
    io::MetricRecord test_record{{"epoch", epoch_}, {"split", "test"}};
    std::string line = "epoch " + std::to_string(epoch_) + ": train";
    for (const auto& [key, v] : train) {
      train_record.set(key, v);
      line += " " + key + " " + std::to_string(v);
    }
    line += " | test";
    for (const auto& [key, v] : test) {
      test_record.set(key, v);
      line += " " + key + " " + std::to_string(v);
    }
    metrics.write(train_record);
    metrics.write(test_record);
    std::fprintf(options_.log, "%s (%.1f s)\n", line.c_str(), seconds);
    if (options_.n_samples > 0) write_pictures(test_x);
    plot_losses();
    save_checkpoint(ckpt, *model_, optimizer_.get(), {epoch_, step_, options_.metadata});
    if (on_epoch_end) on_epoch_end(epoch_, test);
  }
  return test;
}

}  // namespace dgm::train
