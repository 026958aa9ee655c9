#include "nn/io/tiny_font.h"

#include <cctype>
#include <string_view>

namespace dgm::nn::io {

namespace {

struct Glyph {
  char c;
  // 5 rows of 3 pixels, top to bottom, '#' = set.
  std::string_view rows;
};

constexpr Glyph kGlyphs[] = {
    {'0',
     "###"
     "#.#"
     "#.#"
     "#.#"
     "###"},
    {'1',
     ".#."
     "##."
     ".#."
     ".#."
     "###"},
    {'2',
     "##."
     "..#"
     ".#."
     "#.."
     "###"},
    {'3',
     "##."
     "..#"
     ".#."
     "..#"
     "##."},
    {'4',
     "#.#"
     "#.#"
     "###"
     "..#"
     "..#"},
    {'5',
     "###"
     "#.."
     "##."
     "..#"
     "##."},
    {'6',
     ".##"
     "#.."
     "###"
     "#.#"
     "###"},
    {'7',
     "###"
     "..#"
     ".#."
     ".#."
     ".#."},
    {'8',
     "###"
     "#.#"
     "###"
     "#.#"
     "###"},
    {'9',
     "###"
     "#.#"
     "###"
     "..#"
     "##."},
    {'.',
     "..."
     "..."
     "..."
     "..."
     ".#."},
    {'-',
     "..."
     "..."
     "###"
     "..."
     "..."},
    {'+',
     "..."
     ".#."
     "###"
     ".#."
     "..."},
    {':',
     "..."
     ".#."
     "..."
     ".#."
     "..."},
    {'/',
     "..#"
     "..#"
     ".#."
     "#.."
     "#.."},
    {'(',
     ".#."
     "#.."
     "#.."
     "#.."
     ".#."},
    {')',
     ".#."
     "..#"
     "..#"
     "..#"
     ".#."},
    {'_',
     "..."
     "..."
     "..."
     "..."
     "###"},
    {'=',
     "..."
     "###"
     "..."
     "###"
     "..."},
    {',',
     "..."
     "..."
     "..."
     ".#."
     "#.."},
    {' ',
     "..."
     "..."
     "..."
     "..."
     "..."},
    {'?',
     "##."
     "..#"
     ".#."
     "..."
     ".#."},
    {'A',
     ".#."
     "#.#"
     "###"
     "#.#"
     "#.#"},
    {'B',
     "##."
     "#.#"
     "##."
     "#.#"
     "##."},
    {'C',
     ".##"
     "#.."
     "#.."
     "#.."
     ".##"},
    {'D',
     "##."
     "#.#"
     "#.#"
     "#.#"
     "##."},
    {'E',
     "###"
     "#.."
     "##."
     "#.."
     "###"},
    {'F',
     "###"
     "#.."
     "##."
     "#.."
     "#.."},
    {'G',
     ".##"
     "#.."
     "#.#"
     "#.#"
     ".##"},
    {'H',
     "#.#"
     "#.#"
     "###"
     "#.#"
     "#.#"},
    {'I',
     "###"
     ".#."
     ".#."
     ".#."
     "###"},
    {'J',
     "..#"
     "..#"
     "..#"
     "#.#"
     ".#."},
    {'K',
     "#.#"
     "#.#"
     "##."
     "#.#"
     "#.#"},
    {'L',
     "#.."
     "#.."
     "#.."
     "#.."
     "###"},
    {'M',
     "#.#"
     "###"
     "###"
     "#.#"
     "#.#"},
    {'N',
     "##."
     "#.#"
     "#.#"
     "#.#"
     "#.#"},
    {'O',
     ".#."
     "#.#"
     "#.#"
     "#.#"
     ".#."},
    {'P',
     "##."
     "#.#"
     "##."
     "#.."
     "#.."},
    {'Q',
     ".#."
     "#.#"
     "#.#"
     "##."
     ".##"},
    {'R',
     "##."
     "#.#"
     "##."
     "#.#"
     "#.#"},
    {'S',
     ".##"
     "#.."
     ".#."
     "..#"
     "##."},
    {'T',
     "###"
     ".#."
     ".#."
     ".#."
     ".#."},
    {'U',
     "#.#"
     "#.#"
     "#.#"
     "#.#"
     "###"},
    {'V',
     "#.#"
     "#.#"
     "#.#"
     "#.#"
     ".#."},
    {'W',
     "#.#"
     "#.#"
     "###"
     "###"
     "#.#"},
    {'X',
     "#.#"
     "#.#"
     ".#."
     "#.#"
     "#.#"},
    {'Y',
     "#.#"
     "#.#"
     ".#."
     ".#."
     ".#."},
    {'Z',
     "###"
     "..#"
     ".#."
     "#.."
     "###"},
};

std::string_view rows_of(char c) {
  char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const Glyph& g : kGlyphs)
    if (g.c == upper) return g.rows;
  return rows_of('?');
}

}  // namespace

bool glyph_pixel(char c, int x, int y) {
  if (x < 0 || x >= kGlyphWidth || y < 0 || y >= kGlyphHeight) return false;
  return rows_of(c)[static_cast<size_t>(y * kGlyphWidth + x)] == '#';
}

int text_width(const std::string& text, int scale) {
  return text.empty() ? 0 : (static_cast<int>(text.size()) * kGlyphAdvance - 1) * scale;
}

int text_height(int scale) { return kGlyphHeight * scale; }

void draw_text(PixelImage& image, int x, int y, const std::string& text, Rgb color, int scale) {
  for (size_t i = 0; i < text.size(); ++i) {
    const int left = x + static_cast<int>(i) * kGlyphAdvance * scale;
    for (int gy = 0; gy < kGlyphHeight; ++gy)
      for (int gx = 0; gx < kGlyphWidth; ++gx) {
        if (!glyph_pixel(text[i], gx, gy)) continue;
        for (int dy = 0; dy < scale; ++dy)
          for (int dx = 0; dx < scale; ++dx) {
            const int px = left + gx * scale + dx, py = y + gy * scale + dy;
            if (px < 0 || py < 0 || px >= image.width || py >= image.height) continue;
            uint8_t* p = image.at(px, py);
            for (int ch = 0; ch < 3 && ch < image.channels; ++ch) p[ch] = color[static_cast<size_t>(ch)];
          }
      }
  }
}

}  // namespace dgm::nn::io
