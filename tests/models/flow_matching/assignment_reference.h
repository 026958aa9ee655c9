// Written by make_assignment_reference.py (NumPy 1.24.2, SciPy 1.10.1): do not edit.
// The minimal total cost of each case of assignment_costs.h, by scipy.optimize.linear_sum_assignment.
#pragma once
#include <cstdint>
#include <vector>

namespace dgm::test {

struct AssignmentReferenceCase {
  const char* name;
  const char* kind;
  int64_t b, dim;
  uint64_t seed;
  double optimal_cost;
};

inline const std::vector<AssignmentReferenceCase> assignment_reference_cases = {
    {"uniform_16", "uniform", 16, 0, 1, 1.7277748945090439},
    {"uniform_100", "uniform", 100, 0, 2, 1.454723763786796},
    {"integer_60", "integer", 60, 0, 3, 156.0},
    {"points_128_d2", "points", 128, 2, 4, 1.1692769555239377},
    {"points_256_d16", "points", 256, 16, 5, 264.45923887700064},
    {"points_256_d784", "points", 256, 784, 6, 30230.70989739345},
};

}  // namespace dgm::test
