"""Reference optima for tests/models/flow_matching/test_earth_movers.cpp, from SciPy's linear_sum_assignment
(Debian's /usr/bin/python3), a solver written independently of dgm's (SciPy uses a shortest augmenting path LAPJV
variant in C).

The cost matrices are not stored: both sides rebuild them from a 64-bit xorshift generator (xorshift64*, Marsaglia
and Vigna), whose integer arithmetic is the same in Python and C++ (assignment_costs.h), so only the optimal totals
go into the header.

  /usr/bin/python3 tests/models/flow_matching/make_assignment_reference.py          # rewrite the header
  /usr/bin/python3 tests/models/flow_matching/make_assignment_reference.py --check  # exit 1 unless it is current
"""
import os
import sys

import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment

HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assignment_reference.h")
MASK = (1 << 64) - 1

# (name, kind, B, dim, seed): kind "uniform" = costs U[0, 1); "integer" = costs in {0, ..., 99} (ties);
# "points" = squared Euclidean distances between two sets of B points uniform in [0, 1)^dim (OT-CFM's costs).
CASES = [
    ("uniform_16", "uniform", 16, 0, 1),
    ("uniform_100", "uniform", 100, 0, 2),
    ("integer_60", "integer", 60, 0, 3),
    ("points_128_d2", "points", 128, 2, 4),
    ("points_256_d16", "points", 256, 16, 5),
    ("points_256_d784", "points", 256, 784, 6),
]


class Xorshift64Star:
    def __init__(self, seed):
        self.state = (seed * 0x9E3779B97F4A7C15 + 1) & MASK

    def next_u64(self):
        x = self.state
        x ^= x >> 12
        x ^= (x << 25) & MASK
        x ^= x >> 27
        self.state = x
        return (x * 0x2545F4914F6CDD1D) & MASK

    def uniform(self):  # 53 random bits -> [0, 1)
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))


def costs(kind, b, dim, seed):
    g = Xorshift64Star(seed)
    if kind == "uniform":
        return np.array([g.uniform() for _ in range(b * b)]).reshape(b, b)
    if kind == "integer":
        return np.array([float(g.next_u64() % 100) for _ in range(b * b)]).reshape(b, b)
    x = np.array([g.uniform() for _ in range(b * dim)]).reshape(b, dim)
    y = np.array([g.uniform() for _ in range(b * dim)]).reshape(b, dim)
    return ((x[:, None, :] - y[None, :, :]) ** 2).sum(axis=2)


def render():
    out = ["// Written by make_assignment_reference.py (NumPy %s, SciPy %s): do not edit.\n" % (np.__version__,
                                                                                                scipy.__version__),
           "// The minimal total cost of each case of assignment_costs.h, by scipy.optimize.linear_sum_assignment.\n",
           "#pragma once\n#include <cstdint>\n#include <vector>\n\n",
           "namespace dgm::test {\n\n",
           "struct AssignmentReferenceCase {\n  const char* name;\n  const char* kind;\n  int64_t b, dim;\n"
           "  uint64_t seed;\n  double optimal_cost;\n};\n\n",
           "inline const std::vector<AssignmentReferenceCase> assignment_reference_cases = {\n"]
    for name, kind, b, dim, seed in CASES:
        m = costs(kind, b, dim, seed)
        rows, cols = linear_sum_assignment(m)
        total = float(m[rows, cols].sum())
        out.append('    {"%s", "%s", %d, %d, %d, %r},\n' % (name, kind, b, dim, seed, total))
    out.append("};\n\n}  // namespace dgm::test\n")
    return "".join(out)


def main():
    text = render()
    if "--check" in sys.argv[1:]:
        with open(HEADER) as f:
            if f.read() != text:
                print("assignment_reference.h is out of date: rerun make_assignment_reference.py", file=sys.stderr)
                return 1
        print("assignment_reference.h matches SciPy")
        return 0
    with open(HEADER, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
