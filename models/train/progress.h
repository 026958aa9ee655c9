// A terminal progress bar for training loops:
//   epoch 3/10 [=========>          ]  234/469  41.2 it/s  ETA 0:05  loss 98.41
// redrawn in place on a terminal; when output is not a terminal (a log file,
// CI) it prints a plain line every `plain_every` steps and at the end instead.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace dgm::models::train {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, std::FILE* out = stdout, int64_t plain_every = 50);
  // Advances to `step` (1-based) with the running value of the loss shown.
  void update(int64_t step, double running_loss);
  // Finishes the line (a newline on a terminal, a last plain line otherwise).
  void finish(double running_loss);

  static bool is_terminal(std::FILE* f);

 private:
  std::string line(int64_t step, double loss) const;
  std::string label_;
  int64_t total_;
  std::FILE* out_;
  int64_t plain_every_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  int64_t last_step_ = 0;
};

}  // namespace dgm::models::train
