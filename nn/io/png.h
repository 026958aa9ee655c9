// PNG encoding (through stb_image_write) of 8-bit pixel buffers, written atomically.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dgm::nn::io {

// An 8-bit image, rows top to bottom, channels interleaved (1 = gray, 3 = RGB, 4 = RGBA).
struct PixelImage {
  int width = 0;
  int height = 0;
  int channels = 3;
  std::vector<uint8_t> pixels;  // height * width * channels

  PixelImage() = default;
  PixelImage(int w, int h, int c, uint8_t fill = 0)
      : width(w), height(h), channels(c), pixels(static_cast<size_t>(w) * h * c, fill) {}
  uint8_t* at(int x, int y) { return pixels.data() + (static_cast<size_t>(y) * width + x) * channels; }
  const uint8_t* at(int x, int y) const { return pixels.data() + (static_cast<size_t>(y) * width + x) * channels; }
};

// The PNG file's bytes.
std::vector<uint8_t> encode_png(const PixelImage& image);
// encode_png, then write_file_atomic.
void write_png(const std::string& path, const PixelImage& image);

}  // namespace dgm::nn::io
