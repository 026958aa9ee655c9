// dgm::data: file readers on small files written here (raw, gzip'd, broken),
// the 2-D toy sets, transforms and DataLoader. No real data set is needed;
// the one test that reads the real MNIST is hidden ([.real]).
#include <zlib.h>

#include <unistd.h>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "nn/data/data.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::nn::data;
using dgm::test::check_values;
namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

namespace {

// A fresh folder under the system temp dir, removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path =
        fs::temp_directory_path() / ("dgm_test_data_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

void write_file(const std::string& path, const Bytes& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(f.good());
}

Bytes gzip_bytes(const Bytes& in) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  Bytes out(deflateBound(&zs, in.size()) + 64);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// An IDX file of unsigned bytes with the given dims and values.
Bytes idx_bytes(const std::vector<uint32_t>& dims, const Bytes& values) {
  Bytes b{0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  }
  b.insert(b.end(), values.begin(), values.end());
  return b;
}

Bytes iota_bytes(size_t n, uint8_t start = 0, uint8_t step = 1) {
  Bytes v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(start + step * i);
  return v;
}

// A fake MNIST split with n images of 28x28 (pixel (i, y, x) = i + y + x) and labels i % 10.
void write_fake_mnist(const std::string& dir, const std::string& split, uint32_t n, bool gz) {
  Bytes pixels, labels;
  for (uint32_t i = 0; i < n; ++i) {
    labels.push_back(static_cast<uint8_t>(i % 10));
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x) pixels.push_back(static_cast<uint8_t>(i + y + x));
  }
  Bytes images = idx_bytes({n, 28, 28}, pixels), labs = idx_bytes({n}, labels);
  const std::string suffix = gz ? ".gz" : "";
  write_file(dir + "/" + split + "-images-idx3-ubyte" + suffix, gz ? gzip_bytes(images) : images);
  write_file(dir + "/" + split + "-labels-idx1-ubyte" + suffix, gz ? gzip_bytes(labs) : labs);
}

std::vector<double> as_doubles(const Bytes& b) { return std::vector<double>(b.begin(), b.end()); }

}  // namespace

// ---------------------------------------------------------------- IDX

TEST_CASE("read_idx reads raw and gzip'd IDX files", "[data][idx]") {
  TempDir dir;
  const Bytes values = iota_bytes(12, 250, 1);  // wraps: 250..255, 0..5
  write_file(dir / "raw-idx3-ubyte", idx_bytes({3, 2, 2}, values));
  write_file(dir / "zipped.gz", gzip_bytes(idx_bytes({3, 2, 2}, values)));
  write_file(dir / "zipped-without-suffix", gzip_bytes(idx_bytes({3, 2, 2}, values)));
  for (const char* name : {"raw-idx3-ubyte", "zipped.gz", "zipped-without-suffix"}) {
    INFO(name);
    Tensor t = read_idx(dir / name);
    REQUIRE(t.dtype() == kFloat32);
    REQUIRE(t.shape() == Shape{3, 2, 2});
    check_values(t, as_doubles(values), 0, 0);
  }
  Tensor l = read_idx(dir / "zipped.gz", kInt64);
  REQUIRE(l.dtype() == kInt64);
  REQUIRE(l.to_vector<int64_t>()[6] == 0);
  // Sizes above 255 use every byte of the big-endian int32.
  write_file(dir / "long", idx_bytes({70000}, iota_bytes(70000)));
  Tensor big = read_idx(dir / "long", kInt64);
  REQUIRE(big.shape() == Shape{70000});
  REQUIRE(big.to_vector<int64_t>()[69999] == 69999 % 256);
}

TEST_CASE("read_idx rejects broken files with a message naming the file", "[data][idx]") {
  TempDir dir;
  const Bytes good = idx_bytes({2, 3}, iota_bytes(6));

  Bytes truncated(good.begin(), good.end() - 2);
  write_file(dir / "truncated", truncated);
  REQUIRE_THROWS_WITH(read_idx(dir / "truncated"), Catch::Contains("truncated file") && Catch::Contains("truncated") &&
                                                       Catch::Contains("needs 6 data bytes, the file has 4"));
  Bytes header_cut(good.begin(), good.begin() + 6);
  write_file(dir / "header_cut", header_cut);
  REQUIRE_THROWS_WITH(read_idx(dir / "header_cut"), Catch::Contains("truncated header"));

  Bytes extra = good;
  extra.push_back(7);
  write_file(dir / "extra", extra);
  REQUIRE_THROWS_WITH(read_idx(dir / "extra"), Catch::Contains("1 unexpected bytes"));

  Bytes magic = good;
  magic[0] = 0x12;
  write_file(dir / "magic", magic);
  REQUIRE_THROWS_WITH(read_idx(dir / "magic"), Catch::Contains("bad magic number") && Catch::Contains("magic"));

  Bytes floats = good;
  floats[2] = 0x0D;
  write_file(dir / "floats", floats);
  REQUIRE_THROWS_WITH(read_idx(dir / "floats"), Catch::Contains("0x0d (float32) is not supported"));

  write_file(dir / "empty", {});
  REQUIRE_THROWS_WITH(read_idx(dir / "empty"), Catch::Contains("too short"));
  REQUIRE_THROWS_WITH(read_idx(dir / "nope"), Catch::Contains("does not exist") && Catch::Contains("nope"));

  // A huge claimed shape is an error, not an allocation.
  write_file(dir / "huge", idx_bytes({0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, {1, 2, 3}));
  REQUIRE_THROWS_AS(read_idx(dir / "huge"), dgm::Error);
}

TEST_CASE("read_idx rejects corrupt and truncated gzip streams", "[data][idx]") {
  TempDir dir;
  const Bytes gz = gzip_bytes(idx_bytes({100, 28, 28}, iota_bytes(78400, 0, 7)));

  Bytes cut(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2));
  write_file(dir / "cut.gz", cut);
  REQUIRE_THROWS_WITH(read_idx(dir / "cut.gz"), Catch::Contains("cut.gz") && Catch::Contains("truncated"));

  Bytes corrupt = gz;
  for (size_t i = 20; i < 60; ++i) corrupt[i] ^= 0x5A;  // deflate data, after the 10-byte gzip header
  write_file(dir / "corrupt.gz", corrupt);
  REQUIRE_THROWS_WITH(read_idx(dir / "corrupt.gz"), Catch::Contains("corrupt.gz") && Catch::Contains("gzip"));

  Bytes bad_crc = gz;
  bad_crc[bad_crc.size() - 6] ^= 0xFF;  // inside the CRC-32 of the trailer
  write_file(dir / "crc.gz", bad_crc);
  REQUIRE_THROWS_WITH(read_idx(dir / "crc.gz"), Catch::Contains("corrupt gzip stream"));
}

// ---------------------------------------------------------------- MNIST / Fashion-MNIST

TEST_CASE("load_mnist finds raw or gzip'd files in root or root/mnist", "[data][mnist]") {
  TempDir dir;
  write_fake_mnist(dir / "mnist", "train", 5, true);
  write_fake_mnist(dir / "mnist", "t10k", 3, false);
  ImageSet train = load_mnist(dir.path.string());
  REQUIRE(train.images.shape() == Shape{5, 1, 28, 28});
  REQUIRE(train.labels.shape() == Shape{5});
  REQUIRE(train.labels.dtype() == kInt64);
  REQUIRE(train.size() == 5);
  check_values(train.labels, {0, 1, 2, 3, 4}, 0, 0);
  // pixel (i, 0, y, x) = i + y + x
  REQUIRE(train.images.index({4, 0, 27, 26}).item<float>() == 4 + 27 + 26);
  ImageSet test = load_mnist(dir / "mnist", false);
  REQUIRE(test.images.shape() == Shape{3, 1, 28, 28});

  write_fake_mnist(dir / "fashion-mnist", "train", 2, true);
  REQUIRE(load_fashion_mnist(dir.path.string()).images.shape() == Shape{2, 1, 28, 28});
}

TEST_CASE("a missing data set names scripts/fetch-data and --data-dir", "[data][mnist]") {
  TempDir dir;
  REQUIRE_THROWS_WITH(load_mnist(dir.path.string()), Catch::Contains("scripts/fetch-data mnist") &&
                                                         Catch::Contains("--data-dir") &&
                                                         Catch::Contains("train-images-idx3-ubyte"));
  REQUIRE_THROWS_WITH(load_fashion_mnist(dir.path.string(), false),
                      Catch::Contains("scripts/fetch-data fashion-mnist") && Catch::Contains("t10k-images"));
  // Images without labels: the labels file is what is missing.
  write_fake_mnist(dir / "mnist", "train", 2, false);
  fs::remove(dir / "mnist/train-labels-idx1-ubyte");
  REQUIRE_THROWS_WITH(load_mnist(dir.path.string()), Catch::Contains("train-labels-idx1-ubyte"));
}

TEST_CASE("read_idx_pair checks that images and labels fit", "[data][mnist]") {
  TempDir dir;
  write_file(dir / "img", idx_bytes({3, 2, 2}, iota_bytes(12)));
  write_file(dir / "lab", idx_bytes({4}, iota_bytes(4)));
  write_file(dir / "flat", idx_bytes({12}, iota_bytes(12)));
  REQUIRE_THROWS_WITH(read_idx_pair(dir / "img", dir / "lab"),
                      Catch::Contains("3 images") && Catch::Contains("4 labels"));
  REQUIRE_THROWS_WITH(read_idx_pair(dir / "flat", dir / "lab"), Catch::Contains("expected images (N,H,W)"));
}

// ---------------------------------------------------------------- CIFAR-10

namespace {
// n records; record i has label i % 10 and pixel byte j = (i + j) % 256.
Bytes cifar_bytes(int n) {
  Bytes b;
  for (int i = 0; i < n; ++i) {
    b.push_back(static_cast<uint8_t>(i % 10));
    for (int j = 0; j < 3072; ++j) b.push_back(static_cast<uint8_t>((i + j) % 256));
  }
  return b;
}
}  // namespace

TEST_CASE("read_cifar10_batch reads records as CHW images", "[data][cifar]") {
  TempDir dir;
  write_file(dir / "data_batch_1.bin", cifar_bytes(3));
  ImageSet s = read_cifar10_batch(dir / "data_batch_1.bin");
  REQUIRE(s.images.shape() == Shape{3, 3, 32, 32});
  check_values(s.labels, {0, 1, 2}, 0, 0);
  // image 2, channel 1 (green), row 5, column 7: byte j = 1*1024 + 5*32 + 7 of the record.
  REQUIRE(s.images.index({2, 1, 5, 7}).item<float>() == float((2 + 1024 + 5 * 32 + 7) % 256));
  REQUIRE(s.images.index({0, 2, 31, 31}).item<float>() == float(3071 % 256));
}

TEST_CASE("read_cifar10_batch rejects files of the wrong size", "[data][cifar]") {
  TempDir dir;
  Bytes b = cifar_bytes(2);
  b.pop_back();
  write_file(dir / "short.bin", b);
  REQUIRE_THROWS_WITH(read_cifar10_batch(dir / "short.bin"),
                      Catch::Contains("short.bin") && Catch::Contains("6145 bytes") &&
                          Catch::Contains("not a positive multiple of the record size 3073"));
  write_file(dir / "empty.bin", {});
  REQUIRE_THROWS_AS(read_cifar10_batch(dir / "empty.bin"), dgm::Error);
  Bytes bad_label = cifar_bytes(1);
  bad_label[0] = 42;
  write_file(dir / "label.bin", bad_label);
  REQUIRE_THROWS_WITH(read_cifar10_batch(dir / "label.bin"), Catch::Contains("label 42"));
}

TEST_CASE("load_cifar10 joins the five train batches", "[data][cifar]") {
  TempDir dir;
  for (int k = 1; k <= 5; ++k)
    write_file(dir / ("cifar-10-batches-bin/data_batch_" + std::to_string(k) + ".bin"), cifar_bytes(k));
  write_file(dir / "cifar-10-batches-bin/test_batch.bin", cifar_bytes(2));
  ImageSet train = load_cifar10(dir.path.string());
  REQUIRE(train.images.shape() == Shape{15, 3, 32, 32});
  REQUIRE(train.labels.shape() == Shape{15});
  REQUIRE(load_cifar10(dir.path.string(), false).size() == 2);
  TempDir empty;
  REQUIRE_THROWS_WITH(load_cifar10(empty.path.string()), Catch::Contains("data_batch_1.bin not found"));
}

// ---------------------------------------------------------------- 2-D toy sets

TEST_CASE("make_moons: sklearn's geometry, labels and determinism", "[data][toy]") {
  ToySet m = make_moons(101, 0.0, false);
  REQUIRE(m.points.shape() == Shape{101, 2});
  REQUIRE(m.points.dtype() == kFloat32);
  std::vector<float> p = m.points.to_vector<float>();
  std::vector<int64_t> y = m.labels.to_vector<int64_t>();
  // Unshuffled: 50 outer points, then 51 inner ones, at t = linspace(0, pi).
  for (int i = 0; i < 101; ++i) {
    INFO("point " << i);
    const bool outer = i < 50;
    REQUIRE(y[i] == (outer ? 0 : 1));
    const double t = outer ? M_PI * i / 49 : M_PI * (i - 50) / 50;
    const double ex = outer ? std::cos(t) : 1 - std::cos(t), ey = outer ? std::sin(t) : 0.5 - std::sin(t);
    REQUIRE(p[2 * i] == Approx(ex).margin(1e-6));
    REQUIRE(p[2 * i + 1] == Approx(ey).margin(1e-6));
  }
  // Shuffled, no noise: every point still on its moon.
  Generator g(3);
  ToySet s = make_moons(200, 0.0, true, &g);
  p = s.points.to_vector<float>();
  y = s.labels.to_vector<int64_t>();
  int64_t ones_count = 0;
  for (int i = 0; i < 200; ++i) {
    const double cx = y[i] ? 1.0 : 0.0, cy = y[i] ? 0.5 : 0.0;
    REQUIRE(std::hypot(p[2 * i] - cx, p[2 * i + 1] - cy) == Approx(1).margin(1e-6));
    REQUIRE((y[i] ? p[2 * i + 1] <= 0.5 + 1e-6 : p[2 * i + 1] >= -1e-6));
    ones_count += y[i];
  }
  REQUIRE(ones_count == 100);
  REQUIRE(y != std::vector<int64_t>(y.size(), y[0]));
  // The same seed gives the same points; another seed others; noise moves them.
  Generator a(7), b(7), c(8);
  Tensor na = make_moons(500, 0.1, true, &a).points, nb = make_moons(500, 0.1, true, &b).points;
  REQUIRE(na.to_vector<float>() == nb.to_vector<float>());
  REQUIRE(na.to_vector<float>() != make_moons(500, 0.1, true, &c).points.to_vector<float>());
  // Noise 0.1: distance to the moon's circle has a std of about 0.1.
  auto big = make_moons(4000, 0.1, true, &a);
  Tensor center = big.labels.to(kFloat32).unsqueeze(1) * tensor(std::vector<float>{1.0f, 0.5f}, {1, 2});
  Tensor r = (big.points - center).norm(2, {1}) - 1;
  REQUIRE(r.std().item() == Approx(0.1).margin(0.01));
}

TEST_CASE("make_circles and eight_gaussians lie on their rings", "[data][toy]") {
  Generator g(1);
  ToySet c = make_circles(60, 0.0, 0.5, true, &g);
  std::vector<float> p = c.points.to_vector<float>();
  std::vector<int64_t> y = c.labels.to_vector<int64_t>();
  for (int i = 0; i < 60; ++i) REQUIRE(std::hypot(p[2 * i], p[2 * i + 1]) == Approx(y[i] ? 0.5 : 1.0).margin(1e-6));

  ToySet e = eight_gaussians(400, 2.0, 0.0, &g);
  REQUIRE(e.points.shape() == Shape{400, 2});
  p = e.points.to_vector<float>();
  y = e.labels.to_vector<int64_t>();
  std::set<int64_t> seen;
  for (int i = 0; i < 400; ++i) {
    REQUIRE((y[i] >= 0 && y[i] < 8));
    seen.insert(y[i]);
    const double a = y[i] * M_PI / 4;
    REQUIRE(p[2 * i] == Approx(2 * std::cos(a) / 1.414).margin(1e-6));
    REQUIRE(p[2 * i + 1] == Approx(2 * std::sin(a) / 1.414).margin(1e-6));
  }
  REQUIRE(seen.size() == 8);
  // With noise: the spread around each center is std / 1.414.
  ToySet n = eight_gaussians(8000, 2.0, 0.1, &g);
  Tensor a = n.labels.to(kFloat64) * (M_PI / 4);
  Tensor centers = dgm::stack({a.cos(), a.sin()}, 1) * (2 / 1.414);
  REQUIRE((n.points.to(kFloat64) - centers).std().item() == Approx(0.1 / 1.414).margin(0.005));
}

TEST_CASE("swiss_roll_2d, checkerboard and gaussian_mixture_2d", "[data][toy]") {
  Generator g(5);
  ToySet s = swiss_roll_2d(300, 0.0, &g);
  REQUIRE(s.points.shape() == Shape{300, 2});
  std::vector<float> p = s.points.to_vector<float>(), t = s.labels.to_vector<float>();
  for (int i = 0; i < 300; ++i) {
    REQUIRE((t[i] >= 1.5 * M_PI - 1e-5 && t[i] <= 4.5 * M_PI + 1e-5));
    REQUIRE(p[2 * i] == Approx(t[i] * std::cos(t[i])).margin(1e-4));
    REQUIRE(p[2 * i + 1] == Approx(t[i] * std::sin(t[i])).margin(1e-4));
  }

  ToySet cb = checkerboard(2000, &g);
  REQUIRE(!cb.labels.defined());
  p = cb.points.to_vector<float>();
  std::set<std::pair<int, int>> cells;
  for (int i = 0; i < 2000; ++i) {
    const int cx = static_cast<int>(std::floor(p[2 * i] / 2)), cy = static_cast<int>(std::floor(p[2 * i + 1] / 2));
    REQUIRE((cx >= -2 && cx < 2 && cy >= -2 && cy < 2));
    REQUIRE((cx + cy) % 2 == 0);  // a dark square
    cells.insert({cx, cy});
  }
  REQUIRE(cells.size() == 8);

  ToySet m = gaussian_mixture_2d(5000, {0.1, 0.9}, {{-5, -5}, {5, 5}}, std::vector<double>{0.0, 0.0}, &g);
  std::vector<int64_t> y = m.labels.to_vector<int64_t>();
  p = m.points.to_vector<float>();
  int64_t ones_count = 0;
  for (int i = 0; i < 5000; ++i) {
    REQUIRE(p[2 * i] == (y[i] ? 5.0f : -5.0f));
    ones_count += y[i];
  }
  REQUIRE(std::abs(ones_count - 4500) < 5 * 21);  // Binomial sd = sqrt(5000 * 0.09) = 21
  ToySet w = gaussian_mixture_2d(4000, {1.0}, {{2, 3}}, std::vector<std::array<double, 2>>{{3, 1}}, &g);
  check_values(w.points.std({0}), {3, 1}, 0.15, 0);
  REQUIRE_THROWS_WITH(gaussian_mixture_2d(10, {0.5, 0.5}, {{0, 0}}, std::vector<double>{1.0}),
                      Catch::Contains("2 probs, 1 means"));

  Generator g1(11), g2(11);
  REQUIRE(checkerboard(50, &g1).points.to_vector<float>() == checkerboard(50, &g2).points.to_vector<float>());
  REQUIRE(make_moons(0).points.shape() == Shape{0, 2});
}

// ---------------------------------------------------------------- transforms

TEST_CASE("binarize, scale_01, scale_pm1 and dequantize by hand", "[data][transforms]") {
  Tensor x = tensor(std::vector<float>{0, 127, 128, 129, 255});
  check_values(binarize(x), {0, 0, 0, 1, 1}, 0, 0);
  REQUIRE(binarize(x).dtype() == kFloat32);
  check_values(binarize(x.to(kInt64)), {0, 0, 0, 1, 1}, 0, 0);
  check_values(scale_01(x), {0, 127 / 255.0, 128 / 255.0, 129 / 255.0, 1});
  check_values(scale_pm1(x), {-1, 2 * 127 / 255.0 - 1, 2 * 128 / 255.0 - 1, 2 * 129 / 255.0 - 1, 1});

  Generator a(9), b(9);
  Tensor d = dequantize(x, &a);
  REQUIRE(d.to_vector<float>() == dequantize(x, &b).to_vector<float>());
  std::vector<float> dv = d.to_vector<float>(), xv = x.to_vector<float>();
  for (size_t i = 0; i < dv.size(); ++i) {
    REQUIRE(dv[i] >= xv[i] / 256);
    REQUIRE(dv[i] < (xv[i] + 1) / 256);
  }
}

TEST_CASE("resize_bilinear matches align_corners=false by hand", "[data][transforms]") {
  // 2x2 -> 4x4: source coordinates max((dst + 0.5) / 2 - 0.5, 0) = 0, 0.25, 0.75, 1.25 (-> clamped to the last pixel),
  // so the weights of the second pixel are 0, 0.25, 0.75, 1 along each axis; value = 4 wx + 8 wy.
  Tensor x = tensor(std::vector<float>{0, 4, 8, 12}, {1, 1, 2, 2});
  Tensor y = resize_bilinear(x, 4, 4);
  REQUIRE(y.shape() == Shape{1, 1, 4, 4});
  check_values(y, {0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12});
  // (C,H,W) works too; round_to_byte rounds and clamps as on uint8 images.
  Tensor z = resize_bilinear(tensor(std::vector<float>{0, 5, 10, 255}, {1, 2, 2}), 4, 4, true);
  REQUIRE(z.shape() == Shape{1, 4, 4});
  for (float v : z.to_vector<float>()) REQUIRE((v == std::round(v) && v >= 0 && v <= 255));
  // MNIST-sized: 28 -> 32.
  REQUIRE(resize_bilinear(zeros({2, 1, 28, 28}), 32, 32).shape() == Shape{2, 1, 32, 32});
  REQUIRE_THROWS_WITH(resize_bilinear(zeros({28, 28}), 32, 32), Catch::Contains("resize_bilinear"));
}

// ---------------------------------------------------------------- Dataset / DataLoader

TEST_CASE("TensorDataset indexes along dim 0", "[data][loader]") {
  Tensor x = arange(0, 12, 1, kFloat32).reshape({6, 2});
  Tensor y = arange(6);
  TensorDataset ds({x, y});
  REQUIRE(ds.size() == 6);
  std::vector<Tensor> ex = ds.get(4);
  check_values(ex[0], {8, 9}, 0, 0);
  REQUIRE(ex[1].item<int64_t>() == 4);
  REQUIRE(ds.get(-1)[1].item<int64_t>() == 5);
  std::vector<Tensor> b = ds.get_batch(tensor(std::vector<int64_t>{5, 0}));
  check_values(b[0], {10, 11, 0, 1}, 0, 0);
  check_values(b[1], {5, 0}, 0, 0);
  REQUIRE_THROWS_WITH(ds.get(6), Catch::Contains("out of range"));
  REQUIRE_THROWS_WITH(TensorDataset({x, arange(5)}), Catch::Contains("size mismatch"));
  auto [train, test] = split_fraction(TensorDataset({arange(5000)}), 0.8);
  REQUIRE(train.size() == 4000);
  REQUIRE(test.size() == 1000);
  REQUIRE(test.get(0)[0].item<int64_t>() == 4000);
}

namespace {
// The examples of one epoch, in the order the loader hands them out, and the batch sizes.
std::pair<std::vector<int64_t>, std::vector<int64_t>> run_epoch(DataLoader& loader) {
  std::vector<int64_t> order, sizes;
  for (const std::vector<Tensor>& batch : loader) {
    REQUIRE(batch.size() == 2);
    REQUIRE(batch[0].size(0) == batch[1].size(0));
    sizes.push_back(batch[0].size(0));
    for (int64_t v : batch[1].to_vector<int64_t>()) order.push_back(v);
  }
  return {order, sizes};
}
}  // namespace

TEST_CASE("DataLoader batches, shuffles per epoch and is deterministic", "[data][loader]") {
  TensorDataset ds({arange(0, 10, 1, kFloat32).reshape({10, 1}), arange(10)});

  DataLoader plain(ds, 3);
  REQUIRE(plain.size() == 4);
  auto [order, sizes] = run_epoch(plain);
  REQUIRE(sizes == std::vector<int64_t>{3, 3, 3, 1});
  REQUIRE(order == arange(10).to_vector<int64_t>());

  DataLoader dropping(ds, {.batch_size = 3, .shuffle = true, .drop_last = true, .seed = 1});
  REQUIRE(dropping.size() == 3);
  auto [dorder, dsizes] = run_epoch(dropping);
  REQUIRE(dsizes == std::vector<int64_t>{3, 3, 3});
  REQUIRE(std::set<int64_t>(dorder.begin(), dorder.end()).size() == 9);

  DataLoader a(ds, 4, true, false, 42), b(ds, 4, true, false, 42), c(ds, 4, true, false, 43);
  REQUIRE(a.size() == 3);
  std::vector<std::vector<int64_t>> epochs;
  for (int e = 0; e < 3; ++e) {
    auto [oa, sa] = run_epoch(a);
    REQUIRE(sa == std::vector<int64_t>{4, 4, 2});
    std::vector<int64_t> sorted = oa;
    std::sort(sorted.begin(), sorted.end());
    REQUIRE(sorted == arange(10).to_vector<int64_t>());  // every example exactly once
    REQUIRE(run_epoch(b).first == oa);                   // same seed, same epoch: same order
    epochs.push_back(oa);
  }
  REQUIRE(a.epoch() == 3);
  REQUIRE(epochs[0] != epochs[1]);
  REQUIRE(epochs[1] != epochs[2]);
  REQUIRE(run_epoch(c).first != epochs[0]);  // another seed
  // set_epoch replays an epoch; order(e) tells it in advance.
  a.set_epoch(1);
  REQUIRE(a.order(1).to_vector<int64_t>() == epochs[1]);
  REQUIRE(run_epoch(a).first == epochs[1]);

  // Batches carry the data along: x = label as float.
  DataLoader d(ds, 5, true, false, 0);
  for (const auto& batch : d) check_values(batch[0].flatten(), batch[1].to(kFloat64).to_vector<double>(), 0, 0);
  REQUIRE_THROWS_WITH(DataLoader(ds, 0), Catch::Contains("batch_size"));
  DataLoader empty(TensorDataset({zeros({0, 2})}), 4);
  REQUIRE(empty.size() == 0);
  REQUIRE(empty.begin() == empty.end());
}

// ---------------------------------------------------------------- the real data (hidden)

TEST_CASE("the real MNIST and Fashion-MNIST when fetched", "[.real]") {
  const fs::path data = fs::path(__FILE__).parent_path().parent_path() / "data";
  if (!fs::exists(data / "mnist")) {
    WARN("no " << (data / "mnist").string() << ": run scripts/fetch-data");
    return;
  }
  ImageSet train = load_mnist(data.string()), test = load_mnist(data.string(), false);
  REQUIRE(train.images.shape() == Shape{60000, 1, 28, 28});
  REQUIRE(test.images.shape() == Shape{10000, 1, 28, 28});
  REQUIRE(train.labels.max().item<int64_t>() == 9);
  REQUIRE(train.images.max().item<float>() == 255);
  if (fs::exists(data / "fashion-mnist")) {
    REQUIRE(load_fashion_mnist(data.string()).images.shape() == Shape{60000, 1, 28, 28});
    REQUIRE(load_fashion_mnist(data.string(), false).labels.shape() == Shape{10000});
  }
}
