// The image transforms the course applies to MNIST / CIFAR-10, on tensors
// holding raw pixel values 0..255 (as load_mnist / load_cifar10 return them).
// Each returns a new float32 tensor of the same shape unless said otherwise.
//
//   binarize:   x > 128 -> {0, 1}               (hw1-hw3's binarized MNIST)
//   scale_01:   x / 255 in [0, 1]               (torchvision ToTensor)
//   scale_pm1:  2x/255 - 1 in [-1, 1]           (NCSN, DDPM, VAEs on CIFAR-10)
//   resize_bilinear: (N,C,H,W) -> (N,C,h,w)     (hw5-hw6's 32x32 MNIST)
//   dequantize: (x + u) / 256, u ~ U[0,1)       (RealNVP / flows on images)
//
// MNIST at 32x32 (hw5, hw6, autumn hw1-hw2): COURSE.md §1.0 says dgm_utils
// *resizes* (torchvision Resize((32,32)) on the uint8 images, before binarizing
// or scaling), it does not pad, so the transform is
//   Tensor x32 = resize_bilinear(load_mnist().images, 32, 32, true);  // then binarize / scale_01
#pragma once
#include "tensor/random.h"

namespace dgm::nn::data {

// 1 where x > threshold, else 0 (float32).
Tensor binarize(const Tensor& x, double threshold = 128);
Tensor scale_01(const Tensor& x);
Tensor scale_pm1(const Tensor& x);
// Bilinear resize of (N,C,H,W) or (C,H,W) images to (height, width),
// align_corners=false, as torchvision.transforms.Resize on image tensors when
// upsampling. With round_to_byte the result is rounded and clamped to 0..255,
// as Resize does on uint8 images (the course resizes the uint8 MNIST, then
// binarizes or scales it).
Tensor resize_bilinear(const Tensor& x, int64_t height, int64_t width, bool round_to_byte = false);
// Uniform dequantization of integer pixel values: (x + u) / 256 in [0, 1).
Tensor dequantize(const Tensor& x, Generator* gen = nullptr);

}  // namespace dgm::nn::data
