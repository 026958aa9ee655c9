// A 3x5 pixel font for plot labels: digits, '.', '-', '+', 'e', a few symbols and
// the capital letters (lower case is drawn as upper case). Unknown characters
// draw as '?'. Scaled by an integer factor: each font pixel becomes scale x scale.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "nn/io/png.h"

namespace dgm::nn::io {

using Rgb = std::array<uint8_t, 3>;

constexpr int kGlyphWidth = 3;
constexpr int kGlyphHeight = 5;
constexpr int kGlyphAdvance = 4;  // glyph width plus one pixel of spacing

// Whether font pixel (x, y) of character c is set; x in [0, 3), y in [0, 5), y = 0 on top.
bool glyph_pixel(char c, int x, int y);

// Width in image pixels of `text` at `scale` (no trailing spacing).
int text_width(const std::string& text, int scale);
int text_height(int scale);

// Draws `text` with its top-left corner at (x, y), clipped to the image (RGB images only).
void draw_text(PixelImage& image, int x, int y, const std::string& text, Rgb color, int scale);

}  // namespace dgm::nn::io
