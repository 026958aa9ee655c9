// The course's test binary, build/bin/dgm_course_tests (Catch2 2.x).
// Grading (the per-task table printed at the end) is a Catch2 listener in grading.cpp.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
