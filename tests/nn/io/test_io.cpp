// dgm::io: safetensors, atomic writes, PNG grids, loss plots, JSON-lines metrics.
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "nn/io/tiny_font.h"
#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;
namespace fs = std::filesystem;

namespace {

// A fresh directory per test case, removed afterwards (kept if DGM_TEST_KEEP_TMP is set).
struct TempDir {
  fs::path dir;
  TempDir() {
    static int counter = 0;
    dir = fs::temp_directory_path() / ("dgm_test_io_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~TempDir() {
    if (!std::getenv("DGM_TEST_KEEP_TMP")) fs::remove_all(dir);
  }
  std::string operator/(const std::string& name) const { return (dir / name).string(); }
  size_t file_count() const { return static_cast<size_t>(std::distance(fs::directory_iterator(dir), {})); }
};

void write_raw(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::string u64_le(uint64_t v) {
  std::string s;
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return s;
}

// A safetensors file from a header written out by hand and raw data bytes (no padding added).
std::string safetensors_bytes(const std::string& header, const std::string& data) {
  return u64_le(header.size()) + header + data;
}

void require_same_tensor(const Tensor& got, const Tensor& expected) {
  REQUIRE(got.dtype() == expected.dtype());
  REQUIRE(got.shape() == expected.shape());
  REQUIRE(got.is_contiguous());
  REQUIRE(got.to_vector<double>() == expected.to_vector<double>());
}

// PNG: 8-byte signature, then the IHDR chunk: length(4) "IHDR" width(4, big-endian) height(4) depth(1) color(1).
struct PngHeader {
  bool signature_ok = false;
  uint32_t width = 0, height = 0;
  int bit_depth = 0, color_type = 0;
};

PngHeader read_png_header(const std::string& bytes) {
  PngHeader h;
  const std::string signature = "\x89PNG\r\n\x1a\n";
  if (bytes.size() < 33) return h;
  h.signature_ok = bytes.compare(0, 8, signature) == 0 && bytes.compare(12, 4, "IHDR") == 0;
  auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(bytes[at + i]);
    return v;
  };
  h.width = be32(16);
  h.height = be32(20);
  h.bit_depth = static_cast<uint8_t>(bytes[24]);
  h.color_type = static_cast<uint8_t>(bytes[25]);
  return h;
}

}  // namespace

// ------------------------------------------------------------------ safetensors

TEST_CASE("safetensors round trip of every dtype, 0-dim, empty and non-contiguous tensors", "[io]") {
  TempDir tmp;
  nn::StateDict sd;
  sd["f32"] = tensor(std::vector<float>{1.5f, -2.25f, 3.0f, 1e-30f, -0.0f, 7.0f}, {2, 3});
  sd["f64"] = scalar_tensor(3.141592653589793, kFloat64);  // 0-dim
  sd["i64"] = tensor(std::vector<int64_t>{-1, 0, 1LL << 40, -(1LL << 62)});
  sd["mask"] = tensor(std::vector<bool>{true, false, false, true, true});
  sd["empty"] = zeros({0, 3});
  Tensor base = arange(12, kFloat32).reshape({3, 4});
  sd["transposed"] = base.t();  // not contiguous: strides (1, 4)
  REQUIRE_FALSE(sd["transposed"].is_contiguous());
  sd["sliced"] = arange(10, kFloat64).slice(0, 1, 9, 3);  // [1, 4, 7], offset 1, stride 3

  const std::string path = tmp / "model.safetensors";
  nn::io::save_safetensors(path, sd, {{"epoch", "3"}, {"note", "round \"trip\""}});
  nn::io::SafetensorsFile file = nn::io::load_safetensors_with_metadata(path);
  REQUIRE(file.metadata == nn::io::Metadata{{"epoch", "3"}, {"note", "round \"trip\""}});
  REQUIRE(file.tensors.size() == sd.size());
  for (const auto& [name, t] : sd) {
    INFO("tensor " << name);
    REQUIRE(file.tensors.count(name) == 1);
    require_same_tensor(file.tensors[name], t.contiguous());
  }
  REQUIRE(file.tensors["f64"].dim() == 0);
  REQUIRE(file.tensors["empty"].shape() == Shape{0, 3});
  check_values(file.tensors["transposed"], {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  check_values(file.tensors["sliced"], {1, 4, 7});
  // load_safetensors is the same without metadata; a tensor requiring grad saves its data only.
  REQUIRE(nn::io::load_safetensors(path).size() == sd.size());
  nn::io::save_safetensors(path, {{"p", dgm::test::leaf({2})}});
  REQUIRE_FALSE(nn::io::load_safetensors(path)["p"].requires_grad());
}

TEST_CASE("safetensors file is byte-exact with the reference layout", "[io]") {
  // The reference implementation orders tensors by dtype (I64, F64, F32, BOOL), then
  // by name; "__metadata__" comes first; each entry is dtype, shape, data_offsets; the
  // compact JSON header is padded with spaces to a multiple of 8 (205 -> 208 bytes).
  const std::string header = R"({"__metadata__":{"format":"pt"},)"
                             R"("step":{"dtype":"I64","shape":[],"data_offsets":[0,8]},)"
                             R"("weight":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
                             R"("mask":{"dtype":"BOOL","shape":[3],"data_offsets":[16,19]}})"
                             "   ";
  REQUIRE(header.size() == 208);
  const std::string length_prefix("\xd0\x00\x00\x00\x00\x00\x00\x00", 8);  // 208, little-endian
  const std::string data(
      "\x03\x00\x00\x00\x00\x00\x00\x00"  // step = 3 (int64)
      "\x00\x00\x80\x3f"                  // 1.0f
      "\x00\x00\x00\xc0"                  // -2.0f
      "\x01\x00\x01",                     // true, false, true
      19);
  const std::string expected = length_prefix + header + data;

  nn::StateDict sd{{"weight", tensor(std::vector<float>{1.0f, -2.0f})},
                   {"step", scalar_tensor(3, kInt64)},
                   {"mask", tensor(std::vector<bool>{true, false, true})}};
  REQUIRE(nn::io::serialize_safetensors(sd, {{"format", "pt"}}) == expected);

  TempDir tmp;
  const std::string path = tmp / "exact.safetensors";
  nn::io::save_safetensors(path, sd, {{"format", "pt"}});
  REQUIRE(nn::io::read_file(path) == expected);
  // Cross-checked once against the format spec (Python's safetensors is not installed here)
  // with an independent reader, /usr/bin/python3 and only json + struct:
  //   n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8+n]); data = b[8+n:]
  //   for each tensor: struct.unpack('<' + {'I64':'q','F32':'f','BOOL':'?'}[dtype] * numel, data[begin:end])
  // Its output for this file:
  //   header length 208 (multiple of 8: True ), raw header ends with 3 spaces
  //   __metadata__ {'format': 'pt'}
  //   step I64 [] [0, 8] (3,)
  //   weight F32 [2] [8, 16] (1.0, -2.0)
  //   mask BOOL [3] [16, 19] (True, False, True)
  //   data section 19 bytes, covered exactly: True
}

TEST_CASE("safetensors loads files written by other tools", "[io]") {
  // Python's json.dumps style (spaces after separators), keys in another order, a gap-free
  // data section in an order unrelated to the keys, and F64 data.
  const std::string header =
      R"({"b": {"data_offsets": [0, 16], "dtype": "F64", "shape": [2, 1]}, )"
      R"("__metadata__": {"format": "pt"}, "a": {"shape": [1], "dtype": "I64", "data_offsets": [16, 24]}})";
  double b[2] = {0.5, -4.0};
  int64_t a = 42;
  std::string data(reinterpret_cast<const char*>(b), 16);
  data += std::string(reinterpret_cast<const char*>(&a), 8);
  nn::io::SafetensorsFile f = nn::io::parse_safetensors(safetensors_bytes(header, data));
  REQUIRE(f.metadata.at("format") == "pt");
  require_same_tensor(f.tensors.at("b"), tensor(std::vector<double>{0.5, -4.0}, {2, 1}));
  require_same_tensor(f.tensors.at("a"), tensor(std::vector<int64_t>{42}));
}

TEST_CASE("safetensors rejects malformed files with clear messages", "[io]") {
  TempDir tmp;
  const std::string good_header = R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string eight(8, '\0');
  auto expect_error = [&](const std::string& bytes, const std::string& problem) {
    const std::string path = tmp / "bad.safetensors";
    write_raw(path, bytes);
    REQUIRE_THROWS_AS(nn::io::load_safetensors(path), Error);
    REQUIRE_THROWS_WITH(nn::io::load_safetensors(path), Catch::Contains(path) && Catch::Contains(problem));
  };
  REQUIRE_NOTHROW(nn::io::parse_safetensors(safetensors_bytes(good_header, eight)));

  expect_error("\x10\x00\x00", "too short");
  expect_error(u64_le(1000) + good_header + eight, "header length 1000 runs past the end of the file");
  expect_error(safetensors_bytes(R"({"x":{"dtype":"F32",)", eight), "not valid JSON");
  expect_error(safetensors_bytes("[1,2]", eight), "not a JSON object");
  expect_error(safetensors_bytes(R"({"x":{"dtype":"Q8","shape":[2],"data_offsets":[0,8]}})", eight),
               "unsupported dtype Q8");
  expect_error(safetensors_bytes(R"({"x":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}})", eight),
               "unsupported dtype F16");
  expect_error(safetensors_bytes(R"({"x":{"dtype":"BF16","shape":[4],"data_offsets":[0,8]}})", eight),
               "unsupported dtype BF16");
  expect_error(safetensors_bytes(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}})", eight),
               "data_offsets [0, 12] out of range");
  expect_error(safetensors_bytes(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[8,4]}})", eight), "out of range");
  expect_error(safetensors_bytes(R"({"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", eight),
               "data size 8 bytes != 3 elements of F32 (12 bytes)");
  expect_error(safetensors_bytes(R"({"x":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", eight),
               "shape size: expected an integer in [0, 9223372036854775807], got an integer -2");
  expect_error(safetensors_bytes(R"({"x":{"dtype":"F32","shape":[2]}})", eight), "data_offsets");
  expect_error(safetensors_bytes(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                 R"("y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                 std::string(12, '\0')),
               "overlap");
  expect_error(safetensors_bytes(R"({"__metadata__":{"n":3}})", ""),
               "__metadata__ value of 'n': expected a string, got an integer 3");
  REQUIRE_THROWS_WITH(nn::io::load_safetensors(tmp / "missing.safetensors"),
                      Catch::Contains("missing.safetensors") && Catch::Contains("No such file"));
}

// ------------------------------------------------------------------ atomic writes

TEST_CASE("a failed save leaves the previous checkpoint intact and no temporary", "[io]") {
  TempDir tmp;
  const std::string path = tmp / "ckpt.safetensors";
  nn::StateDict v1{{"w", tensor(std::vector<float>{1, 2, 3})}};
  nn::io::save_safetensors(path, v1, {{"epoch", "1"}});
  const std::string before = nn::io::read_file(path);

  // The disk "fails" after 20 bytes of the new file are written.
  nn::StateDict v2{{"w", tensor(std::vector<float>{9, 9, 9, 9, 9, 9})}};
  nn::io::testing::fail_next_write_after(20);
  std::string message;
  try {
    nn::io::save_safetensors(path, v2, {{"epoch", "2"}});
  } catch (const Error& e) {
    message = e.what();
  }
  REQUIRE_THAT(message, Catch::Contains(path) && Catch::Contains("injected failure after 20 bytes"));
  REQUIRE(nn::io::read_file(path) == before);
  nn::io::SafetensorsFile f = nn::io::load_safetensors_with_metadata(path);
  check_values(f.tensors.at("w"), {1, 2, 3});
  REQUIRE(f.metadata.at("epoch") == "1");
  REQUIRE_FALSE(fs::exists(nn::io::temporary_path_for(path)));
  REQUIRE(tmp.file_count() == 1);

  // An exception before any byte is written (an undefined tensor) changes nothing either.
  REQUIRE_THROWS_WITH(nn::io::save_safetensors(path, {{"bad", Tensor()}}), Catch::Contains("'bad' is undefined"));
  REQUIRE(nn::io::read_file(path) == before);

  // A real system error names the path and errno's text.
  const std::string nowhere = tmp / "no_such_dir/ckpt.safetensors";
  REQUIRE_THROWS_WITH(nn::io::save_safetensors(nowhere, v1),
                      Catch::Contains(nowhere) && Catch::Contains("No such file or directory"));
  REQUIRE(tmp.file_count() == 1);

  // The hook is one-shot: the next save succeeds and replaces the file.
  nn::io::save_safetensors(path, v2);
  check_values(nn::io::load_safetensors(path).at("w"), {9, 9, 9, 9, 9, 9});
  REQUIRE(tmp.file_count() == 1);
}

// ------------------------------------------------------------------ images

TEST_CASE("make_grid lays images out like torchvision", "[io]") {
  // 3 images of 1x2x3 with values 100k + 10y + x; nrow=2, padding=1, pad value -1:
  // grid height = 2 rows * (2 + 1) + 1 = 7, width = 2 cols * (3 + 1) + 1 = 9.
  std::vector<float> v;
  for (int k = 0; k < 3; ++k)
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 3; ++x) v.push_back(static_cast<float>(100 * k + 10 * y + x));
  Tensor images = tensor(v, {3, 1, 2, 3});
  Tensor grid = nn::io::make_grid(images, 2, 1, -1);
  REQUIRE(grid.shape() == Shape{1, 7, 9});
  std::vector<float> g = grid.to_vector<float>();
  for (int gy = 0; gy < 7; ++gy)
    for (int gx = 0; gx < 9; ++gx) {
      float expected = -1;
      const int row = (gy - 1) / 3, col = (gx - 1) / 4, y = (gy - 1) % 3, x = (gx - 1) % 4;
      const int k = row * 2 + col;
      if (gy >= 1 && gx >= 1 && y < 2 && x < 3 && k < 3) expected = static_cast<float>(100 * k + 10 * y + x);
      INFO("grid pixel (" << gy << ", " << gx << ")");
      REQUIRE(g[static_cast<size_t>(gy * 9 + gx)] == expected);
    }

  // RGB, more columns than images, default padding 2: channels stay apart.
  Tensor rgb = zeros({2, 3, 1, 1});
  rgb.select(1, 0).fill_(0.25);        // red channel
  rgb.select(1, 2).fill_(0.75);        // blue channel
  Tensor g2 = nn::io::make_grid(rgb);  // cols = 2, rows = 1 -> (3, 1*3+2, 2*3+2) = (3, 5, 8)
  REQUIRE(g2.shape() == Shape{3, 5, 8});
  check_values(g2.index({Slice(), 2, 2}), {0.25, 0, 0.75});
  check_values(g2.index({Slice(), 2, 5}), {0.25, 0, 0.75});
  check_values(g2.index({Slice(), 2, 4}), {0, 0, 0});  // padding between the images
  REQUIRE(g2.sum().item() == Approx(2 * (0.25 + 0.75)));

  REQUIRE_THROWS_WITH(nn::io::make_grid(zeros({2, 2, 4, 4})), Catch::Contains("1 (gray) or 3 (RGB) channels"));
  REQUIRE_THROWS_WITH(nn::io::make_grid(zeros({4, 4})), Catch::Contains("(N,C,H,W)"));
}

TEST_CASE("pixel mapping clamps to [0, 1] or a given range", "[io]") {
  Tensor img = tensor(std::vector<float>{-1, 0, 0.5f, 1, 2, 0.2f}, {1, 2, 3});
  nn::io::PixelImage p = nn::io::to_pixels(img);
  REQUIRE(p.width == 3);
  REQUIRE(p.height == 2);
  REQUIRE(p.channels == 1);
  REQUIRE(p.pixels == std::vector<uint8_t>{0, 0, 128, 255, 255, 51});
  nn::io::PixelImage r = nn::io::to_pixels(img, std::pair<double, double>{-1, 1});  // [-1, 1] -> [0, 255]
  REQUIRE(r.pixels == std::vector<uint8_t>{0, 128, 191, 255, 255, 153});
  // (C,H,W) planes become interleaved RGB.
  nn::io::PixelImage c = nn::io::to_pixels(tensor(std::vector<float>{1, 0, 0, 0, 0, 1}, {3, 1, 2}));
  REQUIRE(c.pixels == std::vector<uint8_t>{255, 0, 0, 0, 0, 255});
}

TEST_CASE("save_image_grid and save_image write PNG files of the grid's size", "[io]") {
  TempDir tmp;
  // 5 RGB images of 4x6 in rows of 3: (2*(4+2)+2, 3*(6+2)+2) = 14 x 26.
  Tensor images = dgm::test::uniform_values({5, 3, 4, 6}, -1, 1).to(kFloat32);
  nn::io::save_image_grid(tmp / "grid.png", images, {.nrow = 3, .value_range = std::pair<double, double>{-1, 1}});
  PngHeader h = read_png_header(nn::io::read_file(tmp / "grid.png"));
  REQUIRE(h.signature_ok);
  REQUIRE(h.width == 26);
  REQUIRE(h.height == 14);
  REQUIRE(h.bit_depth == 8);
  REQUIRE(h.color_type == 2);  // RGB

  nn::io::save_image_grid(tmp / "gray.png", images.narrow(1, 0, 1), {.nrow = 5, .padding = 0, .normalize = true});
  PngHeader g = read_png_header(nn::io::read_file(tmp / "gray.png"));
  REQUIRE(g.signature_ok);
  REQUIRE(g.width == 30);
  REQUIRE(g.height == 4);
  REQUIRE(g.color_type == 0);  // grayscale

  nn::io::save_image(tmp / "one.png", images.select(0, 0).clamp(0, 1));
  PngHeader o = read_png_header(nn::io::read_file(tmp / "one.png"));
  REQUIRE(o.signature_ok);
  REQUIRE(o.width == 6);
  REQUIRE(o.height == 4);
  REQUIRE(tmp.file_count() == 3);  // no temporaries left behind
}

// ------------------------------------------------------------------ plots

TEST_CASE("ticks are round numbers with short labels", "[io]") {
  std::vector<double> t = nn::io::nice_ticks(0.03, 0.97, 5);
  REQUIRE(t.size() == 4);  // step 0.2: 0.2, 0.4, 0.6, 0.8
  REQUIRE(t.front() == Approx(0.2));
  REQUIRE(t.back() == Approx(0.8));
  REQUIRE(nn::io::nice_ticks(0, 100, 5) == std::vector<double>{0, 20, 40, 60, 80, 100});
  REQUIRE(nn::io::tick_label(0.25, 0.05) == "0.25");
  REQUIRE(nn::io::tick_label(1500, 500) == "1500");
  REQUIRE(nn::io::tick_label(-0.5, 0.5) == "-0.5");
  REQUIRE(nn::io::tick_label(1e-16, 0.1) == "0");
  REQUIRE(nn::io::tick_label(2e-5, 1e-5) == "2e-5");
  REQUIRE(nn::io::tick_label(3e7, 1e7) == "3e7");
  REQUIRE(nn::io::glyph_pixel('1', 1, 0));
  REQUIRE_FALSE(nn::io::glyph_pixel('1', 0, 0));
  REQUIRE(nn::io::text_width("0.5", 2) == 22);
}

TEST_CASE("plot_curves writes a PNG of the requested size with the series' colors", "[io]") {
  TempDir tmp;
  nn::io::CurveSet curves;
  for (int epoch = 1; epoch <= 20; ++epoch) {
    curves["train"].push_back({epoch, 2.5 * std::exp(-0.2 * epoch) + 0.1});
    curves["test"].push_back({epoch, 2.7 * std::exp(-0.15 * epoch) + 0.2});
  }
  curves["test"][7].second = std::nan("");  // a gap in the line
  nn::io::plot_curves(tmp / "loss.png", curves, "loss");
  PngHeader h = read_png_header(nn::io::read_file(tmp / "loss.png"));
  REQUIRE(h.signature_ok);
  REQUIRE(h.width == 640);
  REQUIRE(h.height == 400);

  nn::io::plot_curves(tmp / "small.png", curves, "", 300, 200);
  PngHeader s = read_png_header(nn::io::read_file(tmp / "small.png"));
  REQUIRE(s.width == 300);
  REQUIRE(s.height == 200);

  // The raster: white background, both palette colors present (test = blue, train = orange).
  nn::io::PixelImage img = nn::io::render_curves(curves, "loss");
  auto count_color = [&](uint8_t r, uint8_t g, uint8_t b) {
    int n = 0;
    for (size_t i = 0; i < img.pixels.size(); i += 3)
      n += img.pixels[i] == r && img.pixels[i + 1] == g && img.pixels[i + 2] == b;
    return n;
  };
  REQUIRE(count_color(255, 255, 255) > 640 * 400 / 2);
  REQUIRE(count_color(31, 119, 180) > 200);
  REQUIRE(count_color(255, 127, 14) > 200);
  REQUIRE(count_color(0, 0, 0) > 500);  // frame, ticks, labels
  // Degenerate input still renders: no series, a single point.
  REQUIRE(nn::io::render_curves({}).width == 640);
  REQUIRE(nn::io::render_curves({{"one", {{1, 1}}}}, "x", 100, 80).height == 80);
  REQUIRE_THROWS_WITH(nn::io::render_curves(curves, "", 10, 10), Catch::Contains("plot_curves"));
  if (std::getenv("DGM_TEST_KEEP_TMP")) nn::io::plot_curves("/tmp/dgm_loss_plot.png", curves, "loss");
}

// ------------------------------------------------------------------ metrics

TEST_CASE("MetricsWriter appends JSON lines that read_metrics reads back", "[io]") {
  TempDir tmp;
  const std::string path = tmp / "metrics.jsonl";
  {
    nn::io::MetricsWriter w(path, nn::io::MetricsWriter::Mode::Truncate);
    w.write({{"epoch", 1}, {"split", "train"}, {"loss", 0.5}, {"best", true}});
    w.write({{"epoch", 1}, {"split", "test"}, {"loss", 0.1 + 0.2}});
  }
  REQUIRE(nn::io::read_file(path) ==
          "{\"epoch\":1,\"split\":\"train\",\"loss\":0.5,\"best\":true}\n"
          "{\"epoch\":1,\"split\":\"test\",\"loss\":0.30000000000000004}\n");
  {
    nn::io::MetricsWriter w(path);  // Append: resuming keeps the lines
    w.write(nn::io::MetricRecord{{"epoch", int64_t{2}}}.set("loss", std::nan("")).set("steps", size_t{600}));
  }
  std::vector<nn::io::MetricRecord> records = nn::io::read_metrics(path);
  REQUIRE(records.size() == 3);
  REQUIRE(records[0] == nn::io::MetricRecord{{"epoch", 1}, {"split", "train"}, {"loss", 0.5}, {"best", true}});
  REQUIRE(records[1].number("loss") == 0.1 + 0.2);  // doubles round-trip exactly
  REQUIRE(records[1].text("split") == "test");
  REQUIRE(records[2].at("epoch").as_int() == 2);
  REQUIRE(std::isnan(records[2].number("loss")));  // NaN is written as null
  REQUIRE(records[2].at("steps").as_int() == 600);
  REQUIRE_THROWS_WITH(records[2].at("accuracy"), Catch::Contains("no key 'accuracy'"));
  REQUIRE_THROWS_WITH(records[0].text("loss"), Catch::Contains("expected a string"));

  // Resume from epoch 1: keep only its records, rewritten atomically.
  nn::io::write_metrics(path, {records[0], records[1]});
  REQUIRE(nn::io::read_metrics(path).size() == 2);

  // A crash mid-line leaves an unterminated last line: skipped. A bad line elsewhere: an error.
  { std::ofstream(path, std::ios::app) << "{\"epoch\":3,\"lo"; }
  REQUIRE(nn::io::read_metrics(path).size() == 2);
  write_raw(path, "{\"epoch\":1}\n\nnot json\n{\"epoch\":2}\n");
  REQUIRE_THROWS_WITH(nn::io::read_metrics(path), Catch::Contains(path) && Catch::Contains("line 3"));
}
