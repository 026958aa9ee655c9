#include "nn/io/png.h"

#include "nn/io/atomic_file.h"
#include "tensor/error.h"

#if DGM_HAVE_STB
// The one translation unit that compiles stb_image_write.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO     // dgm writes the bytes itself, atomically
#define STB_IMAGE_WRITE_STATIC  // private symbols: no clash with a program that links its own stb
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_image_write.h>
#pragma GCC diagnostic pop
#endif

namespace dgm::nn::io {

namespace {
[[maybe_unused]] void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  auto* bytes = static_cast<const uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
}
}  // namespace

std::vector<uint8_t> encode_png(const PixelImage& image) {
  DGM_CHECK(image.width > 0 && image.height > 0, "encode_png: image size ", image.width, "x", image.height,
            " is empty");
  DGM_CHECK(image.channels >= 1 && image.channels <= 4, "encode_png: ", image.channels, " channels (expected 1 to 4)");
  DGM_CHECK(image.pixels.size() == static_cast<size_t>(image.width) * image.height * image.channels,
            "encode_png: buffer has ", image.pixels.size(), " bytes, expected width*height*channels = ",
            static_cast<size_t>(image.width) * image.height * image.channels);
  std::vector<uint8_t> out;
#if DGM_HAVE_STB
  int ok = stbi_write_png_to_func(append_bytes, &out, image.width, image.height, image.channels, image.pixels.data(),
                                  image.width * image.channels);
  DGM_CHECK(ok != 0, "encode_png: stb_image_write failed to encode a ", image.width, "x", image.height, " image");
#else
  DGM_FAIL("encode_png: this dgm was built without stb_image_write (Debian: libstb-dev), so it cannot write PNG");
#endif
  return out;
}

void write_png(const std::string& path, const PixelImage& image) { write_file_atomic(path, encode_png(image)); }

}  // namespace dgm::nn::io
