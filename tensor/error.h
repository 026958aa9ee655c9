// dgm::Error: every failure dgm reports names the operation and the shapes,
// dtypes or devices involved, e.g.
//   matmul: shapes (3,4) and (5,6) cannot be multiplied (4 != 5)
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace dgm {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Thrown by homework stubs: "hw1.2: implement ...".
class NotImplemented : public Error {
 public:
  explicit NotImplemented(const std::string& message) : Error(message) {}
};

namespace detail {
template <typename... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}
}  // namespace detail

}  // namespace dgm

// DGM_CHECK(cond, "op: ", details...) throws dgm::Error with the parts joined.
#define DGM_CHECK(cond, ...)                                             \
  do {                                                                   \
    if (!(cond)) throw ::dgm::Error(::dgm::detail::concat(__VA_ARGS__)); \
  } while (0)

#define DGM_FAIL(...) throw ::dgm::Error(::dgm::detail::concat(__VA_ARGS__))
