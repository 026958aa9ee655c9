"""Reference numbers for tests/models/eval/test_fid.cpp, from NumPy and SciPy (Debian's /usr/bin/python3).

Seeded random features and SPD matrices; for each case the FID by the usual route of the Inception-FID code,
|mu1 - mu2|^2 + tr(S1 + S2 - 2 sqrtm(S1 @ S2)) with scipy.linalg.sqrtm (a different route from dgm's symmetric
eigendecompositions), and np.mean / np.cov(rowvar=False) of a feature matrix.

  /usr/bin/python3 tests/models/eval/make_fid_reference.py          # rewrite fid_reference.h
  /usr/bin/python3 tests/models/eval/make_fid_reference.py --check  # exit 1 unless the header is what it writes
"""
import os
import re
import sys

import numpy as np
import scipy.linalg

HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fid_reference.h")


def spd(rng, d):
    a = rng.standard_normal((d, d))
    return a @ a.T / d + 0.1 * np.eye(d)


def fid_scipy(mu1, s1, mu2, s2):
    root = scipy.linalg.sqrtm(s1 @ s2)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * np.real(root)))


def array(name, values):
    # three numbers a line, so no line is over 120 characters
    numbers = [repr(float(v)) for v in np.ravel(values)]
    lines = [", ".join(numbers[i:i + 3]) for i in range(0, len(numbers), 3)]
    return "const std::vector<double> %s = {\n    %s};\n" % (name, ",\n    ".join(lines))


def render():
    rng = np.random.RandomState(18)
    out = ["// Written by make_fid_reference.py (NumPy %s, SciPy %s): do not edit.\n" % (np.__version__,
                                                                                          scipy.__version__),
           "#pragma once\n#include <cstdint>\n#include <vector>\n\n// clang-format off\nnamespace fid_reference {\n\n"]
    dims = [3, 8, 24]
    out.append("const std::vector<int64_t> kDims = {%s};\n" % ", ".join(str(d) for d in dims))
    for i, d in enumerate(dims):
        mu1, mu2 = rng.standard_normal(d), rng.standard_normal(d) * 2
        s1, s2 = spd(rng, d), spd(rng, d)
        out += [array("kMu1_%d" % i, mu1), array("kMu2_%d" % i, mu2), array("kS1_%d" % i, s1),
                array("kS2_%d" % i, s2), "const double kFid_%d = %r;\n" % (i, fid_scipy(mu1, s1, mu2, s2))]
    x = rng.standard_normal((40, 5)) * np.array([1, 2, 3, 0.5, 1]) + np.arange(5)
    out += ["\n// 40 features of dimension 5, their np.mean(x, 0) and np.cov(x, rowvar=False)\n",
            array("kFeatures", x), array("kFeatureMean", x.mean(0)), array("kFeatureCov", np.cov(x, rowvar=False))]
    out.append("\n}  // namespace fid_reference\n// clang-format on\n")
    return "".join(out)


def numbers(text):
    """Every number in the header's code lines (comment lines skipped), in order."""
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return [float(v) for v in re.findall(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?", code)]


def main():
    text = render()
    if "--check" in sys.argv:
        # Compare the numbers (relative 1e-10), not the bytes: another NumPy/SciPy/BLAS build may differ in the last
        # digits and names itself in the comment lines, which are skipped.
        with open(HEADER) as f:
            committed = numbers(f.read())
        fresh = numbers(text)
        if len(committed) != len(fresh):
            print("fid_reference.h has %d numbers, make_fid_reference.py computes %d" % (len(committed), len(fresh)))
            return 1
        worst = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(committed, fresh))
        if worst > 1e-10:
            print("fid_reference.h differs from what make_fid_reference.py computes now (worst relative %.3g)" % worst)
            return 1
        print("fid_reference.h matches SciPy (%d numbers, worst relative difference %.3g)" % (len(fresh), worst))
        return 0
    with open(HEADER, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
