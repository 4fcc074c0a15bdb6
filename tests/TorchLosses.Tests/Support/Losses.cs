using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Support
{
    /// <summary>Our losses and libtorch's fused kernels (the reference) behind one signature each.</summary>
    internal static class Losses
    {
        /// <summary>TorchLosses' functional form with a scalar threshold (δ for Huber, β for Smooth L1).</summary>
        public static Tensor Ours(LossKind kind, Tensor input, Tensor target, double threshold, nn.Reduction reduction,
            Tensor? weight = null, double? normalizer = null) =>
            kind == LossKind.Huber
                ? functional.huber_loss(input, target, threshold, reduction, weight, normalizer)
                : functional.smooth_l1_loss(input, target, reduction, threshold, weight, normalizer);

        /// <summary>TorchLosses' functional form with a per-coordinate threshold tensor.</summary>
        public static Tensor Ours(LossKind kind, Tensor input, Tensor target, Tensor threshold, nn.Reduction reduction,
            Tensor? weight = null, double? normalizer = null) =>
            kind == LossKind.Huber
                ? functional.huber_loss(input, target, threshold, reduction, weight, normalizer)
                : functional.smooth_l1_loss(input, target, threshold, reduction, weight, normalizer);

        /// <summary>
        /// libtorch's fused kernel. When the shapes differ, the inputs are first expanded with <c>broadcast_tensors</c>,
        /// as PyTorch's Python <c>F.huber_loss</c> does, so autograd sums the gradients back through <c>expand</c>.
        /// </summary>
        public static Tensor Libtorch(LossKind kind, Tensor input, Tensor target, double threshold, nn.Reduction reduction)
        {
            if (!input.shape.SequenceEqual(target.shape))
            {
                var expanded = broadcast_tensors(input, target);
                input = expanded[0];
                target = expanded[1];
            }
            return kind == LossKind.Huber
                ? nn.functional.huber_loss(input, target, threshold, reduction)
                : nn.functional.smooth_l1_loss(input, target, reduction, threshold);
        }
    }
}
