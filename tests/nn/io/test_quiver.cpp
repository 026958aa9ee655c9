// Quiver pictures of 2-D vector fields (nn/io/quiver.h): arrows start on the lattice and point along the field,
// the longest spans 0.9 of a lattice cell, and bad fields are errors naming the panel.
#include <cmath>

#include "../../helpers.h"
#include "nn/io/canvas.h"
#include "nn/io/quiver.h"

using namespace dgm;

namespace {

const nn::io::Rgb kArrow{31, 119, 180};

bool is_arrow(const nn::io::PixelImage& img, int x, int y) {
  const size_t i = (static_cast<size_t>(y) * img.width + x) * 3;
  return img.pixels[i] == kArrow[0] && img.pixels[i + 1] == kArrow[1] && img.pixels[i + 2] == kArrow[2];
}

// Bounding box of the arrow-coloured pixels.
struct Box {
  int left = 1 << 30, right = -1, top = 1 << 30, bottom = -1, count = 0;
};
Box arrow_box(const nn::io::PixelImage& img) {
  Box b;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x)
      if (is_arrow(img, x, y)) {
        b.left = std::min(b.left, x), b.right = std::max(b.right, x);
        b.top = std::min(b.top, y), b.bottom = std::max(b.bottom, y);
        ++b.count;
      }
  return b;
}

}  // namespace

TEST_CASE("quiver: a field pointing right draws horizontal arrows 0.9 of a cell long", "[io]") {
  // grid 2 on [0, 1]^2 with a 200-pixel panel: lattice points at 0.25 and 0.75, a cell is 100 pixels
  auto right = [](const Tensor& p) { return cat({full({p.size(0), 1}, 3.0), zeros({p.size(0), 1})}, 1); };
  const nn::io::PixelImage img = nn::io::render_quiver_panels({{"right", right, {}}}, 0, 1, 0, 1, 2, 200);
  const Box b = arrow_box(img);
  REQUIRE(b.count > 0);
  // two columns of arrows: from x(0.25) to x(0.25) + 90 px, and from x(0.75) to x(0.75) + 90 px
  // px(x) = left + 199 x: the shafts start at round(49.75) = 50 and round(149.25) = 149 and run 90 px to the right
  // (the right column's are clipped at the panel's edge, left + 199): the box spans 199 - 50 = 149 px
  CHECK(b.right - b.left == 149);
  int shaft_y = -1;
  for (int y = 0; y < img.height && shaft_y < 0; ++y)
    if (is_arrow(img, b.left, y)) shaft_y = y;
  REQUIRE(shaft_y >= 0);
  // along the first shaft every pixel is drawn up to the tip (50 + 89.75 -> 140), then white up to the next start
  for (int k = 0; k <= 90; ++k) CHECK(is_arrow(img, b.left + k, shaft_y));
  for (int k = 91; k < 99; ++k) CHECK_FALSE(is_arrow(img, b.left + k, shaft_y));
  CHECK(is_arrow(img, b.left + 99, shaft_y));
  // horizontal shafts: the heads spread at most 5 px * sin(25 deg) ~ 2 px above and below each shaft
  CHECK(b.bottom - b.top <= 100 + 5);
}

TEST_CASE("quiver: arrows scale per panel, and bad fields are errors naming the panel", "[io]") {
  auto up_small = [](const Tensor& p) { return cat({zeros({p.size(0), 1}), full({p.size(0), 1}, 0.01)}, 1); };
  auto up_big = [](const Tensor& p) { return cat({zeros({p.size(0), 1}), full({p.size(0), 1}, 100.0)}, 1); };
  // only the direction and the relative size are drawn: the two panels are the same picture
  const auto a = nn::io::render_quiver_panels({{"t", up_small, {}}}, -1, 1, -1, 1, 4, 128);
  const auto b = nn::io::render_quiver_panels({{"t", up_big, {}}}, -1, 1, -1, 1, 4, 128);
  CHECK(arrow_box(a).count == arrow_box(b).count);
  CHECK(arrow_box(a).count > 0);
  auto wrong = [](const Tensor& p) { return zeros({p.size(0), 3}); };
  CHECK_THROWS_WITH(nn::io::render_quiver_panels({{"bad one", wrong, {}}}, 0, 1, 0, 1),
                    Catch::Contains("bad one") && Catch::Contains("(400,3)"));
  CHECK_THROWS_WITH(nn::io::render_quiver_panels({{"x", up_big, {}}}, 1, 0, 0, 1), Catch::Contains("x0 < x1"));
  CHECK_THROWS_WITH(nn::io::render_quiver_panels({{"x", up_big, zeros({3, 3})}}, 0, 1, 0, 1),
                    Catch::Contains("expected (n, 2)"));
}
