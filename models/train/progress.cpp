#include "models/train/progress.h"

#include <unistd.h>

#include <cmath>

namespace dgm::models::train {

bool ProgressBar::is_terminal(std::FILE* f) { return isatty(fileno(f)) != 0; }

ProgressBar::ProgressBar(std::string label, int64_t total, std::FILE* out, int64_t plain_every)
    : label_(std::move(label)),
      total_(total),
      out_(out),
      plain_every_(plain_every),
      terminal_(is_terminal(out)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

std::string ProgressBar::line(int64_t step, double loss) const {
  using namespace std::chrono;
  const double elapsed = duration<double>(steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(step) / elapsed : 0;
  const int64_t eta = rate > 0 ? static_cast<int64_t>(std::lround(static_cast<double>(total_ - step) / rate)) : 0;
  constexpr int kWidth = 24;
  const int filled = total_ > 0 ? static_cast<int>(kWidth * step / total_) : kWidth;
  std::string bar(kWidth, ' ');
  for (int i = 0; i < filled; ++i) bar[i] = '=';
  if (filled < kWidth) bar[filled] = '>';
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s [%s] %5lld/%lld %6.1f it/s  ETA %lld:%02lld  loss %.4g", label_.c_str(),
                bar.c_str(), static_cast<long long>(step), static_cast<long long>(total_), rate,
                static_cast<long long>(eta / 60), static_cast<long long>(eta % 60), loss);
  return buf;
}

void ProgressBar::update(int64_t step, double running_loss) {
  last_step_ = step;
  if (terminal_) {
    // Redraw at most 10 times a second.
    auto now = std::chrono::steady_clock::now();
    if (step < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    std::fprintf(out_, "\r%s\x1b[K", line(step, running_loss).c_str());
    std::fflush(out_);
  } else if (plain_every_ > 0 && step % plain_every_ == 0 && step < total_) {
    std::fprintf(out_, "%s\n", line(step, running_loss).c_str());
    std::fflush(out_);
  }
}

void ProgressBar::finish(double running_loss) {
  if (terminal_)
    std::fprintf(out_, "\r%s\x1b[K\n", line(last_step_, running_loss).c_str());
  else
    std::fprintf(out_, "%s\n", line(last_step_, running_loss).c_str());
  std::fflush(out_);
}

}  // namespace dgm::models::train
