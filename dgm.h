// dgm: deep generative models from scratch. Include this one header:
//   #include <dgm/dgm.h>
#pragma once

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/gradcheck.h"
#include "autograd/node.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "tensor/allocator.h"
#include "tensor/dtype.h"
#include "tensor/error.h"
#include "tensor/factories.h"
#include "tensor/parallel.h"
#include "tensor/tensor.h"
