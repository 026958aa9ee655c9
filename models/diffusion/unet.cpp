#include "models/diffusion/unet.h"

#include <sstream>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/shape_ops.h"
#include "nn/modules/normalization.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::diffusion {

UNet::UNet(int64_t num_timesteps_, int64_t num_labels_, int64_t hidden_channels_,
           std::vector<int64_t> channel_multipliers_, int64_t num_blocks_, double dropout_, int64_t attn_from_level_,
           int64_t tail_norm_groups_)
    : num_timesteps(num_timesteps_),
      num_labels(num_labels_),
      hidden_channels(hidden_channels_),
      channel_multipliers(std::move(channel_multipliers_)),
      num_blocks(num_blocks_),
      dropout(dropout_),
      attn_from_level(attn_from_level_),
      tail_norm_groups(tail_norm_groups_) {
  DGM_CHECK(hidden_channels > 0 && hidden_channels % 32 == 0,
            "UNet: hidden_channels must be a positive multiple of 32 (GroupNorm(32, C)), got ", hidden_channels);
  DGM_CHECK(!channel_multipliers.empty(), "UNet: expected at least one channel multiplier");
  for (int64_t m : channel_multipliers) DGM_CHECK(m > 0, "UNet: channel multipliers must be positive, got ", m);
  DGM_CHECK(num_blocks >= 1, "UNet: expected num_blocks >= 1, got ", num_blocks);
  DGM_CHECK(attn_from_level >= 0, "UNet: expected attn_from_level >= 0, got ", attn_from_level);
  DGM_CHECK(tail_norm_groups > 0 && hidden_channels % tail_norm_groups == 0,
            "UNet: tail_norm_groups must divide hidden_channels (GroupNorm(groups, hidden)), got ", tail_norm_groups,
            " groups for ", hidden_channels, " channels");
  const int64_t tdim = 4 * hidden_channels;
  DGM_CHECK(num_timesteps >= 0, "UNet: expected num_timesteps >= 0 (0: a continuous time in [0, 1]), got ",
            num_timesteps);
  if (continuous_time())
    continuous_time_embedding = register_module("time_embedding", std::make_shared<ContinuousTimeEmbedding>(tdim));
  else
    time_embedding =
        register_module("time_embedding", std::make_shared<TimeEmbedding>(num_timesteps, hidden_channels, tdim));
  DGM_CHECK(num_labels >= 0, "UNet: expected num_labels >= 0 (0: unconditional), got ", num_labels);
  if (num_labels > 0)
    cond_embedding =
        register_module("cond_embedding", std::make_shared<ConditionalEmbedding>(num_labels, hidden_channels, tdim));
  head = register_module("head", std::make_shared<nn::Conv2d>(1, hidden_channels, 3, 1, 1));
  downblocks = register_module("downblocks", std::make_shared<nn::ModuleList>());
  middleblocks = register_module("middleblocks", std::make_shared<nn::ModuleList>());
  upblocks = register_module("upblocks", std::make_shared<nn::ModuleList>());
  std::vector<int64_t> chs{hidden_channels};  // channels of the skips, in push order
  int64_t now = hidden_channels;
  const auto levels = static_cast<int64_t>(channel_multipliers.size());
  for (int64_t i = 0; i < levels; ++i) {
    const int64_t out = hidden_channels * channel_multipliers[static_cast<size_t>(i)];
    for (int64_t b = 0; b < num_blocks; ++b) {
      downblocks->push_back(std::make_shared<ResBlock>(now, out, tdim, dropout, i >= attn_from_level));
      now = out;
      chs.push_back(now);
    }
    if (i != levels - 1) {
      downblocks->push_back(std::make_shared<DownsampleBlock>(now));
      chs.push_back(now);
    }
  }
  middleblocks->push_back(std::make_shared<ResBlock>(now, now, tdim, dropout, true));
  middleblocks->push_back(std::make_shared<ResBlock>(now, now, tdim, dropout, false));
  for (int64_t i = levels - 1; i >= 0; --i) {
    const int64_t out = hidden_channels * channel_multipliers[static_cast<size_t>(i)];
    for (int64_t b = 0; b < num_blocks + 1; ++b) {
      upblocks->push_back(std::make_shared<ResBlock>(chs.back() + now, out, tdim, dropout, false));
      chs.pop_back();
      now = out;
    }
    if (i != 0) upblocks->push_back(std::make_shared<UpsampleBlock>(now));
  }
  tail = register_module("tail", std::make_shared<nn::Sequential>(
                                     std::make_shared<nn::GroupNorm>(tail_norm_groups, now), std::make_shared<Swish>(),
                                     std::make_shared<nn::Conv2d>(now, 1, 3, 1, 1)));
}

std::string UNet::extra_repr() const {
  std::ostringstream os;
  os << "T=" << (continuous_time() ? std::string("continuous") : std::to_string(num_timesteps))
     << ", num_labels=" << num_labels << ", hidden=" << hidden_channels << ", multipliers=[";
  for (size_t i = 0; i < channel_multipliers.size(); ++i) os << (i ? ", " : "") << channel_multipliers[i];
  os << "], num_blocks=" << num_blocks << ", dropout=" << dropout << ", attn_from_level=" << attn_from_level
     << ", tail_norm_groups=" << tail_norm_groups;
  return os.str();
}

Tensor UNet::forward(const Tensor& /*x*/) {
  DGM_CHECK(false, "UNet: forward needs the timesteps: call forward(x, t, y)");
  return {};
}

Tensor UNet::forward(const Tensor& x, const Tensor& t, const Tensor& y) {
  const int64_t down = int64_t{1} << (channel_multipliers.size() - 1);
  DGM_CHECK(x.dim() == 4 && x.size(1) == 1 && x.size(2) % down == 0 && x.size(3) % down == 0,
            "UNet: expected x (B, 1, H, W) with H and W divisible by ", down, ", got ", shape_str(x.shape()));
  DGM_CHECK(t.defined() && t.dim() == 1 && t.size(0) == x.size(0), "UNet: expected t (", x.size(0), ") ",
            continuous_time() ? "float in [0, 1]" : "int64", ", got ",
            t.defined() ? shape_str(t.shape()) : std::string("nothing"));
  DGM_CHECK(!y.defined() || cond_embedding, "UNet: labels given to a UNet without a class embedding (num_labels 0)");
  DGM_CHECK(!y.defined() || (y.dim() == 1 && y.size(0) == x.size(0)), "UNet: expected y (", x.size(0), ") int64, got ",
            y.defined() ? shape_str(y.shape()) : std::string("nothing"));
  const Tensor temb =
      continuous_time() ? continuous_time_embedding->forward(t).to(x.dtype()) : time_embedding->forward(t);
  Tensor cemb;
  if (!y.defined()) {
    cemb = zeros_like(temb);  // no label: cemb = 0, as the course's forward
  } else {
    // y = -1 (empty) gives 0 too, so that a batch may mix labelled and empty examples
    cemb = cond_embedding->forward(y) * y.ge(0.0).to(temb.dtype()).unsqueeze(1);
  }
  Tensor h = head->forward(x);
  std::vector<Tensor> skips{h};
  for (const auto& [name, layer] : downblocks->named_children()) {
    if (auto* res = dynamic_cast<ResBlock*>(layer.get()))
      h = res->forward(h, temb, cemb);
    else
      h = layer->forward(h);
    skips.push_back(h);
  }
  for (const auto& [name, layer] : middleblocks->named_children())
    h = dynamic_cast<ResBlock&>(*layer).forward(h, temb, cemb);
  for (const auto& [name, layer] : upblocks->named_children()) {
    if (auto* res = dynamic_cast<ResBlock*>(layer.get())) {
      h = res->forward(cat({h, skips.back()}, 1), temb, cemb);
      skips.pop_back();
    } else {
      h = layer->forward(h);
    }
  }
  return tail->forward(h);
}

}  // namespace dgm::models::diffusion
