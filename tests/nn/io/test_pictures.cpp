// dgm::io pictures by kind: scatter panels, density maps, trajectories.
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>

#include "nn/io/canvas.h"
#include "nn/io/density_map.h"
#include "nn/io/scatter.h"
#include "nn/io/trajectory.h"
#include "tests/helpers.h"

using namespace dgm;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path dir;
  TempDir() {
    static int counter = 0;
    dir = fs::temp_directory_path() /
          ("dgm_test_pictures_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~TempDir() {
    if (!std::getenv("DGM_TEST_KEEP_TMP")) fs::remove_all(dir);
  }
  std::string operator/(const std::string& name) const { return (dir / name).string(); }
  size_t file_count() const { return static_cast<size_t>(std::distance(fs::directory_iterator(dir), {})); }
};

// PNG signature and IHDR: width, height, bit depth, color type.
struct PngHeader {
  bool ok = false;
  uint32_t width = 0, height = 0;
  int color_type = -1;
};
PngHeader png_header(const std::string& path) {
  const std::string b = nn::io::read_file(path);
  PngHeader h;
  if (b.size() < 33) return h;
  h.ok = b.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0 && b.compare(12, 4, "IHDR") == 0 && b[24] == 8;
  auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
    return v;
  };
  h.width = be32(16), h.height = be32(20), h.color_type = static_cast<uint8_t>(b[25]);
  return h;
}

// Pixels of exactly color c in columns [x_lo, x_hi): their count and bounding box.
struct Found {
  int count = 0, left = 1 << 30, right = -1, top = 1 << 30, bottom = -1;
  double cx = 0, cy = 0;  // centroid
};
Found find_color(const nn::io::PixelImage& img, nn::io::Rgb c, int x_lo = 0, int x_hi = -1) {
  if (x_hi < 0) x_hi = img.width;
  Found f;
  for (int y = 0; y < img.height; ++y)
    for (int x = x_lo; x < x_hi; ++x) {
      const uint8_t* p = img.at(x, y);
      if (p[0] != c[0] || p[1] != c[1] || p[2] != c[2]) continue;
      ++f.count, f.cx += x, f.cy += y;
      f.left = std::min(f.left, x), f.right = std::max(f.right, x);
      f.top = std::min(f.top, y), f.bottom = std::max(f.bottom, y);
    }
  if (f.count) f.cx /= f.count, f.cy /= f.count;
  return f;
}
bool is(const nn::io::PixelImage& img, int x, int y, nn::io::Rgb c) {
  const uint8_t* p = img.at(x, y);
  return p[0] == c[0] && p[1] == c[1] && p[2] == c[2];
}

Tensor pts(std::vector<float> xy) {
  const int64_t n = static_cast<int64_t>(xy.size()) / 2;
  return tensor(xy, {n, 2}, kFloat32);
}

// Pixel offset of data value v inside a panel of side p whose shared range is [lo, hi] padded by 5 %.
long offset(double v, double lo, double hi, int p) {
  const double w = hi - lo, a = lo - 0.05 * w, b = hi + 0.05 * w;
  return std::lround((v - a) / (b - a) * (p - 1));
}

const nn::io::Rgb kBlue = nn::io::tab10(0), kOrange = nn::io::tab10(1), kMagenta{255, 0, 255};

}  // namespace

TEST_CASE("save_scatter_panels writes a PNG of the rendered size", "[io]") {
  TempDir tmp;
  const nn::data::ToyData moons = nn::data::load_toy_dataset("moons", 400);
  nn::io::save_scatter_panels(tmp / "moons.png", {{"data", moons.train.x}, {"samples", moons.test.x}}, "moons");
  const nn::io::ScatterPanels panels = {{"data", moons.train.x}, {"samples", moons.test.x}};
  const nn::io::PixelImage img = nn::io::render_scatter_panels(panels, {}, "moons");
  const PngHeader h = png_header(tmp / "moons.png");
  REQUIRE(h.ok);
  REQUIRE(h.color_type == 2);
  REQUIRE(h.width == static_cast<uint32_t>(img.width));
  REQUIRE(h.height == static_cast<uint32_t>(img.height));
  REQUIRE(img.width % 2 == 0);
  REQUIRE(img.height > 300);  // the 300-pixel plot plus titles and tick labels
  // Each panel in its own half and its own color.
  REQUIRE(find_color(img, kBlue, 0, img.width / 2).count > 100);
  REQUIRE(find_color(img, kBlue, img.width / 2).count == 0);
  REQUIRE(find_color(img, kOrange, img.width / 2).count > 50);
  REQUIRE(find_color(img, kOrange, 0, img.width / 2).count == 0);
  nn::io::save_scatter_panels(tmp / "labels.png", {{"data", moons.train.x}}, {moons.train.y}, "by class");
  REQUIRE(png_header(tmp / "labels.png").ok);
  REQUIRE(tmp.file_count() == 2);  // no temporaries
  if (std::getenv("DGM_TEST_KEEP_TMP")) nn::io::write_png("/tmp/dgm_scatter.png", img);
}

TEST_CASE("scatter points land on the pixels their coordinates give", "[io]") {
  // Points (0,0), (1,0), (0,1): range [0,1] padded to [-0.05, 1.05] on a 300-pixel plot.
  const nn::io::PixelImage img = nn::io::render_scatter_panels({{"p", pts({0, 0, 1, 0, 0, 1})}});
  const Found f = find_color(img, kBlue);
  REQUIRE(f.count == 27);  // three 3x3 dots
  const long span = offset(1, 0, 1, 300) - offset(0, 0, 1, 300);
  REQUIRE(f.right - f.left == span + 2);
  REQUIRE(f.bottom - f.top == span + 2);
  // (0,0) bottom-left, (1,0) bottom-right, (0,1) top-left of the box; nothing at (1,1), the top-right.
  REQUIRE(is(img, f.left + 1, f.bottom - 1, kBlue));
  REQUIRE(is(img, f.right - 1, f.bottom - 1, kBlue));
  REQUIRE(is(img, f.left + 1, f.top + 1, kBlue));
  REQUIRE_FALSE(is(img, f.right - 1, f.top + 1, kBlue));
  // Non-finite points are left out and do not stretch the range; an empty panel draws its axes only.
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const nn::io::PixelImage skip = nn::io::render_scatter_panels({{"p", pts({0, 0, 1, 0, 0, 1, nan, 0, inf, 5})}});
  REQUIRE(skip.pixels == img.pixels);
  REQUIRE(find_color(nn::io::render_scatter_panels({{"empty", zeros({0, 2})}}), kBlue).count == 0);

  // Labels choose the colors: class 0 blue, class 1 orange.
  const nn::io::PixelImage lab =
      nn::io::render_scatter_panels({{"p", pts({0, 0, 1, 1})}}, {tensor(std::vector<int64_t>{1, 0}, {2}, kInt64)});
  const Found o = find_color(lab, kOrange), b = find_color(lab, kBlue);
  REQUIRE(o.count == 9);
  REQUIRE(b.count == 9);
  REQUIRE(o.cx < b.cx);  // the orange point is (0,0), left of (1,1)
  REQUIRE(o.cy > b.cy);  // and below it
}

TEST_CASE("scatter panels share their axes", "[io]") {
  const Tensor square = pts({0, 0, 1, 1});
  const nn::io::PixelImage same = nn::io::render_scatter_panels({{"a", square}, {"b", square}});
  const int half = same.width / 2;
  const Found a1 = find_color(same, kBlue, 0, half), b1 = find_color(same, kOrange, half);
  REQUIRE(b1.right - b1.left == a1.right - a1.left);
  REQUIRE(b1.left - half == a1.left);  // the same place in each panel
  REQUIRE(b1.top == a1.top);
  REQUIRE(b1.right - b1.left == offset(1, 0, 1, 300) - offset(0, 0, 1, 300) + 2);

  // A point at (10,10) in panel a widens both ranges to [0,10]: b's points move together, to the lower left.
  const nn::io::PixelImage wide = nn::io::render_scatter_panels({{"a", pts({10, 10})}, {"b", square}});
  const Found b2 = find_color(wide, kOrange, half);
  REQUIRE(find_color(wide, kBlue, 0, half).count == 9);
  REQUIRE(b2.right - b2.left == offset(1, 0, 10, 300) - offset(0, 0, 10, 300) + 2);
  REQUIRE(b2.right - b2.left < b1.right - b1.left);
  REQUIRE(b2.left < b1.left + 1);
  REQUIRE(b2.bottom > b1.bottom - 1);
  REQUIRE(b2.cx < b1.cx - 100);
  REQUIRE(b2.cy > b1.cy + 100);
}

TEST_CASE("1-D points are drawn as density histograms on shared axes", "[io]") {
  // a: uniform on [0,1); b: uniform on [0,0.5), twice as dense. Equal areas, b twice as tall.
  const Tensor a = dgm::test::uniform_values({2000, 1}, 0, 1, 3).to(kFloat32);
  const Tensor b = dgm::test::uniform_values({2000, 1}, 0, 0.5, 4).to(kFloat32);
  const nn::io::PixelImage img = nn::io::render_scatter_panels({{"a", a}, {"b", b}});
  const Found fa = find_color(img, kBlue, 0, img.width / 2), fb = find_color(img, kOrange, img.width / 2);
  REQUIRE(fa.count > 1000);
  CHECK(std::fabs(fb.count - fa.count) < 0.1 * fa.count);
  const int ha = fa.bottom - fa.top, hb = fb.bottom - fb.top;
  CHECK(hb > 1.6 * ha);
  CHECK(fb.right - fb.left < 0.6 * (fa.right - fa.left));  // b covers half of a's x range
  // int64 values (hist1d) work as well.
  const nn::data::ToyData h = nn::data::load_toy_dataset("hist1d");
  REQUIRE(find_color(nn::io::render_scatter_panels({{"hist1d", h.train.x}}), kBlue).count > 1000);
}

TEST_CASE("density map of a Gaussian is brightest at its mean", "[io]") {
  // log N((1,-1), I) on [-4,4]^2 at 80x80.
  int calls = 0;
  int64_t largest = 0;
  auto log_p = [&](const Tensor& z) {
    ++calls;
    REQUIRE(z.dtype() == kFloat32);
    REQUIRE(z.dim() == 2);
    REQUIRE(z.size(1) == 2);
    largest = std::max(largest, z.size(0));
    const std::vector<double> v = z.to_vector<double>();
    std::vector<double> out(v.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
      const double dx = v[2 * i] - 1, dy = v[2 * i + 1] + 1;
      out[i] = -0.5 * (dx * dx + dy * dy) - std::log(2 * std::acos(-1.0));
    }
    return tensor(out, {static_cast<int64_t>(out.size())}, kFloat64);
  };
  const Tensor grid = nn::io::evaluate_log_density_grid(log_p, -4, 4, -4, 4, 80);
  REQUIRE(grid.shape() == Shape{80, 80});
  REQUIRE(calls == 2);  // 6400 points in batches of at most 4096
  REQUIRE(largest == 4096);
  const std::vector<double> g = grid.to_vector<double>();
  const size_t arg = std::max_element(g.begin(), g.end()) - g.begin();
  const double cx = -4 + (arg % 80 + 0.5) * 0.1, cy = 4 - (arg / 80 + 0.5) * 0.1;  // row 0 on top
  REQUIRE(std::fabs(cx - 1) <= 0.05 + 1e-9);
  REQUIRE(std::fabs(cy + 1) <= 0.05 + 1e-9);
  REQUIRE(g[0] == Approx(-0.5 * (4.95 * 4.95 + 4.95 * 4.95) - std::log(2 * std::acos(-1.0))).epsilon(1e-5));

  // The picture: the heat map is the only colored (r, g, b not all equal) block; its brightest color at 5/8, 5/8.
  const nn::io::PixelImage img = nn::io::render_density_map(log_p, -4, 4, -4, 4, 80);
  Found box;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const uint8_t* p = img.at(x, y);
      if (p[0] == p[1] && p[1] == p[2]) continue;
      box.left = std::min(box.left, x), box.right = std::max(box.right, x);
      box.top = std::min(box.top, y), box.bottom = std::max(box.bottom, y);
    }
  REQUIRE(box.right - box.left == 79);
  REQUIRE(box.bottom - box.top == 79);
  const Found bright = find_color(img, nn::io::viridis(1.0));
  REQUIRE(bright.count >= 1);
  CHECK(std::fabs(bright.cx - box.left - 0.625 * 80 + 0.5) <= 1.0);
  CHECK(std::fabs(bright.cy - box.top - 0.625 * 80 + 0.5) <= 1.0);
  REQUIRE(is(img, box.left, box.top, nn::io::viridis(0.0)));  // a far corner: density ~ 0

  TempDir tmp;
  nn::io::save_density_map(tmp / "gauss.png", log_p, -4, 4, -4, 4, 80, pts({1, -1, 3.8f, 3.8f, 9, 9}));
  const PngHeader h = png_header(tmp / "gauss.png");
  REQUIRE(h.ok);
  REQUIRE(h.width == static_cast<uint32_t>(img.width));
  REQUIRE(h.height == static_cast<uint32_t>(img.height));
  // The overlaid points are white 2x2 dots: (1,-1) and (3.8,3.8) inside the box, (9,9) left out.
  const nn::io::PixelImage over = nn::io::render_density_map(log_p, -4, 4, -4, 4, 80, pts({1, -1, 3.8f, 3.8f, 9, 9}));
  int white_inside = 0;
  for (int y = box.top; y <= box.bottom; ++y)
    for (int x = box.left; x <= box.right; ++x) white_inside += is(over, x, y, {255, 255, 255});
  REQUIRE(white_inside == 8);
  if (std::getenv("DGM_TEST_KEEP_TMP")) nn::io::write_png("/tmp/dgm_density.png", over);
}

TEST_CASE("density map: NaN and +inf are magenta, -inf is density 0, nothing throws", "[io]") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  // x < 0: NaN; x >= 0, y < 0: -inf; else a finite bump.
  auto log_p = [&](const Tensor& z) {
    const std::vector<double> v = z.to_vector<double>();
    std::vector<double> out(v.size() / 2);
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = v[2 * i] < 0 ? nan : v[2 * i + 1] < 0 ? -inf : -(v[2 * i] * v[2 * i] + v[2 * i + 1] * v[2 * i + 1]);
    return tensor(out, {static_cast<int64_t>(out.size()), 1}, kFloat64);
  };
  nn::io::PixelImage img;
  REQUIRE_NOTHROW(img = nn::io::render_density_map(log_p, -1, 1, -1, 1, 40));
  REQUIRE(find_color(img, kMagenta).count == 40 * 20);
  REQUIRE(find_color(img, nn::io::viridis(0.0)).count >= 20 * 20);
  REQUIRE(find_color(img, nn::io::viridis(1.0)).count >= 1);
  // All NaN (or +inf): the whole map is magenta.
  auto all_nan = [&](const Tensor& z) { return full({z.size(0)}, nan, kFloat32); };
  REQUIRE(find_color(nn::io::render_density_map(all_nan, 0, 1, 0, 1, 16), kMagenta).count == 256);
  auto all_inf = [&](const Tensor& z) { return full({z.size(0)}, inf, kFloat32); };
  REQUIRE(find_color(nn::io::render_density_map(all_inf, 0, 1, 0, 1, 16), kMagenta).count == 256);
  TempDir tmp;
  REQUIRE_NOTHROW(nn::io::save_density_map(tmp / "nan.png", log_p, -1, 1, -1, 1, 40));
  REQUIRE(png_header(tmp / "nan.png").ok);
}

TEST_CASE("side_by_side: left to right, top-aligned, gray as RGB, white below the shorter image", "[io]") {
  nn::io::PixelImage gray(2, 1, 1, 10);  // 2 wide, 1 high
  nn::io::PixelImage rgb(1, 3, 3);       // 1 wide, 3 high
  for (int y = 0; y < 3; ++y) {
    rgb.at(0, y)[0] = 1;
    rgb.at(0, y)[1] = 2;
    rgb.at(0, y)[2] = static_cast<uint8_t>(3 + y);
  }
  const nn::io::PixelImage out = nn::io::side_by_side({gray, rgb});
  CHECK(out.width == 3);
  CHECK(out.height == 3);
  CHECK(out.channels == 3);
  for (int c = 0; c < 3; ++c) {
    CHECK(out.at(0, 0)[c] == 10);
    CHECK(out.at(1, 0)[c] == 10);
    CHECK(out.at(0, 1)[c] == 255);  // below the gray image: the white background
    CHECK(out.at(1, 2)[c] == 255);
  }
  CHECK(out.at(2, 0)[0] == 1);
  CHECK(out.at(2, 0)[1] == 2);
  CHECK(out.at(2, 2)[2] == 5);
  CHECK(nn::io::side_by_side({}).pixels.empty());
}

TEST_CASE("save_trajectory: image frames, one row per sample and one column per frame", "[io]") {
  // 3 frames of 2 gray 4x5 images; frame k of sample i is the constant (k + 3 i) / 5.
  std::vector<Tensor> frames;
  for (int k = 0; k < 3; ++k) {
    std::vector<float> v;
    for (int i = 0; i < 2; ++i)
      for (int p = 0; p < 20; ++p) v.push_back((k + 3.0f * i) / 5.0f);
    frames.push_back(tensor(v, {2, 1, 4, 5}, kFloat32));
  }
  const nn::io::PixelImage img = nn::io::render_trajectory(frames, {}, std::pair<double, double>{0, 1});
  REQUIRE(img.width == 3 * (5 + 2) + 2);
  REQUIRE(img.height == 2 * (4 + 2) + 2);
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 3; ++k) {
      INFO("sample " << i << " frame " << k);
      const uint8_t expected = static_cast<uint8_t>(std::floor(255 * std::min(1.0, (k + 3.0 * i) / 5) + 0.5));
      REQUIRE(is(img, 2 + k * 7 + 2, 2 + i * 6 + 1, {expected, expected, expected}));
    }
  REQUIRE(is(img, 0, 0, {255, 255, 255}));  // white padding
  // Default range: the last frame's [min, max] = [0.4, 1]; frame 0 of sample 0 (0) is below it -> black.
  const nn::io::PixelImage def = nn::io::render_trajectory(frames);
  REQUIRE(is(def, 4, 3, {0, 0, 0}));
  REQUIRE(is(def, 2 + 2 * 7 + 2, 2 + 6 + 1, {255, 255, 255}));  // the last frame's maximum
  // Captions add a row of text above the grid.
  const nn::io::PixelImage cap = nn::io::render_trajectory(frames, {"t=2", "t=1", "t=0"});
  REQUIRE(cap.width == img.width);
  REQUIRE(cap.height == img.height + nn::io::text_height(2) + 8);
  REQUIRE(find_color(cap, {0, 0, 0}, 0, cap.width).top < nn::io::text_height(2) + 8);
  TempDir tmp;
  nn::io::save_trajectory(tmp / "traj.png", frames, {"t=2", "t=1", "t=0"});
  const PngHeader h = png_header(tmp / "traj.png");
  REQUIRE(h.ok);
  REQUIRE(h.width == static_cast<uint32_t>(cap.width));
  REQUIRE(h.height == static_cast<uint32_t>(cap.height));
}

TEST_CASE("save_trajectory: point frames are scatter panels with shared axes", "[io]") {
  const std::vector<Tensor> frames = {pts({0, 0, 1, 1}), pts({0, 0, 0.5f, 0.5f}), pts({0, 0, 2, 2})};
  const nn::io::PixelImage img = nn::io::render_trajectory(frames, {"a", "b", "c"});
  const nn::io::PixelImage ref =
      nn::io::render_scatter_panels({{"a", frames[0]}, {"b", frames[1]}, {"c", frames[2]}}, {}, "", 200);
  REQUIRE(img.width == ref.width);
  REQUIRE(img.height == ref.height);
  REQUIRE(img.pixels == ref.pixels);
  // The first panel's points span half of the third's: one range [0, 2] for all.
  const int third = img.width / 3;
  const Found a = find_color(img, nn::io::tab10(0), 0, third), c = find_color(img, nn::io::tab10(2), 2 * third);
  REQUIRE(a.right - a.left == offset(1, 0, 2, 200) - offset(0, 0, 2, 200) + 2);
  REQUIRE(c.right - c.left == offset(2, 0, 2, 200) - offset(0, 0, 2, 200) + 2);
  TempDir tmp;
  nn::io::save_trajectory(tmp / "points.png", frames);
  REQUIRE(png_header(tmp / "points.png").ok);
}

TEST_CASE("pictures reject bad shapes with the function and the shape in the message", "[io]") {
  TempDir tmp;
  const Tensor p3 = zeros({4, 3});
  REQUIRE_THROWS_AS(nn::io::save_scatter_panels(tmp / "x.png", {{"bad", p3}}), Error);
  REQUIRE_THROWS_WITH(nn::io::save_scatter_panels(tmp / "x.png", {{"bad", p3}}),
                      Catch::Contains("save_scatter_panels") && Catch::Contains("(4,3)") && Catch::Contains("'bad'"));
  REQUIRE_THROWS_WITH(nn::io::save_scatter_panels(tmp / "x.png", {{"a", zeros({4, 2})}, {"b", zeros({4, 1})}}),
                      Catch::Contains("save_scatter_panels") && Catch::Contains("(4,1)") && Catch::Contains("(4,2)"));
  REQUIRE_THROWS_WITH(nn::io::save_scatter_panels(tmp / "x.png", {}),
                      Catch::Contains("save_scatter_panels: no panels"));
  REQUIRE_THROWS_WITH(nn::io::save_scatter_panels(tmp / "x.png", {{"a", zeros({4, 2})}}, {zeros({3}, kInt64)}),
                      Catch::Contains("save_scatter_panels") && Catch::Contains("(3)"));
  REQUIRE_THROWS_WITH(nn::io::save_trajectory(tmp / "x.png", {zeros({2, 2}), zeros({3, 2})}),
                      Catch::Contains("save_trajectory") && Catch::Contains("frame 1") && Catch::Contains("(3,2)") &&
                          Catch::Contains("(2,2)"));
  REQUIRE_THROWS_WITH(nn::io::save_trajectory(tmp / "x.png", {zeros({2, 1, 4, 4}), zeros({2, 2})}),
                      Catch::Contains("save_trajectory") && Catch::Contains("(2,1,4,4)"));
  REQUIRE_THROWS_WITH(nn::io::save_trajectory(tmp / "x.png", {}), Catch::Contains("save_trajectory: no frames"));
  REQUIRE_THROWS_WITH(nn::io::save_trajectory(tmp / "x.png", {p3}),
                      Catch::Contains("save_trajectory") && Catch::Contains("(4,3)"));
  REQUIRE_THROWS_WITH(nn::io::save_trajectory(tmp / "x.png", {zeros({2, 2})}, {"a", "b"}),
                      Catch::Contains("save_trajectory") && Catch::Contains("2 captions for 1 frames"));
  auto log_p = [](const Tensor& z) { return zeros({z.size(0)}); };
  REQUIRE_THROWS_WITH(nn::io::save_density_map(tmp / "x.png", log_p, -1, 1, -1, 1, 20, zeros({5, 3})),
                      Catch::Contains("save_density_map") && Catch::Contains("(5,3)"));
  REQUIRE_THROWS_WITH(nn::io::save_density_map(tmp / "x.png", log_p, 1, -1, -1, 1, 20),
                      Catch::Contains("save_density_map") && Catch::Contains("x0 < x1"));
  auto wide = [](const Tensor& z) { return zeros({z.size(0), 2}); };
  REQUIRE_THROWS_WITH(nn::io::save_density_map(tmp / "x.png", wide, -1, 1, -1, 1, 20),
                      Catch::Contains("save_density_map") && Catch::Contains("(400,2)"));
  REQUIRE(tmp.file_count() == 0);
}
