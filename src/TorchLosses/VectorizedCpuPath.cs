using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// The fast path for the common CPU case: float32/float64, input and target of one shape, both contiguous, one
    /// number as threshold, no weight, reduction Mean or Sum. The elementwise loss is one SIMD pass
    /// (<see cref="VectorizedCpuKernel"/>) into a fresh tensor that libtorch then sums, so the value is the same bits as
    /// the composed ops and as libtorch's own mean (<c>sum().div_(N)</c> on the CPU). With a gradient wanted,
    /// <see cref="VectorizedCpuFunction"/> then overwrites that same tensor with the local gradient and saves it: one
    /// fresh tensor in forward and one (the gradient) in backward, as libtorch's fused kernels allocate, where the
    /// composed ops allocate three. Every other case runs the composed ops.
    /// </summary>
    internal static class VectorizedCpuPath
    {
        /// <summary>Whether the vectorized path computes this call (reads devices, dtypes and strides only).</summary>
        public static bool Applies(Tensor input, Tensor target, Tensor? weight, Tensor? thresholdTensor, RobustLossCall call)
        {
            if (thresholdTensor is not null || weight is not null || call.Reduction == nn.Reduction.None)
                return false;
            var shapes = call.Shapes;
            if (shapes.ElementCount == 0 || !Broadcasting.Same(shapes.Input, shapes.Target))
                return false;
            if (input.device_type != DeviceType.CPU)
                return false;
            // TorchSharp hands out CPU memory as a Span, so at most int.MaxValue bytes per tensor.
            var bytesPerElement = input.dtype switch
            {
                ScalarType.Float32 when LossArithmetic<float>.Representable(call.Threshold) => 4L,
                ScalarType.Float64 => 8L,
                _ => 0L,
            };
            return bytesPerElement != 0 && shapes.ElementCount <= int.MaxValue / bytesPerElement
                && input.is_contiguous() && target.is_contiguous();
        }

        /// <summary>The reduced loss without autograd (no gradient wanted).</summary>
        public static Tensor Loss(Tensor input, Tensor target, RobustLossCall call) =>
            Reduce(ElementwiseLoss(input, target, call), call);

        /// <summary>A fresh contiguous tensor holding the elementwise loss.</summary>
        public static Tensor ElementwiseLoss(Tensor input, Tensor target, RobustLossCall call)
        {
            var loss = torch.empty(call.Shapes.Loss, input.dtype);
            if (input.dtype == ScalarType.Float32)
                Losses<float>(input, target, loss, call);
            else
                Losses<double>(input, target, loss, call);
            return loss;
        }

        /// <summary>Overwrites <paramref name="destination"/> with the local gradient ∂loss_i/∂x_i.</summary>
        public static void LocalGradients(Tensor input, Tensor target, Tensor destination, RobustLossCall call)
        {
            if (input.dtype == ScalarType.Float32)
                LocalGradients<float>(input, target, destination, call);
            else
                LocalGradients<double>(input, target, destination, call);
        }

        /// <summary>
        /// Sum, or Mean as <c>sum().div_(N)</c>, libtorch's CPU mean for float32/float64, or the sum divided by the
        /// normaliser: the same ops as the composed path.
        /// </summary>
        public static Tensor Reduce(Tensor elementwise, RobustLossCall call)
        {
            var sum = elementwise.sum();
            if (call.Reduction == nn.Reduction.Sum)
                return sum;
            using var divisor = call.Normalizer is double normalizer ? normalizer.ToScalar() : call.Shapes.ElementCount.ToScalar();
            return sum.div_(divisor);
        }

        private static unsafe void Losses<T>(Tensor input, Tensor target, Tensor loss, RobustLossCall call)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            fixed (byte* a = input.bytes, b = target.bytes, l = loss.bytes)
                VectorizedCpuKernel.Losses((T*)a, (T*)b, (T*)l, call.Shapes.ElementCount, new LossArithmetic<T>(call.Kind, call.Threshold));
        }

        private static unsafe void LocalGradients<T>(Tensor input, Tensor target, Tensor destination, RobustLossCall call)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            fixed (byte* a = input.bytes, b = target.bytes, g = destination.bytes)
                VectorizedCpuKernel.LocalGradients((T*)a, (T*)b, (T*)g, call.Shapes.ElementCount, new LossArithmetic<T>(call.Kind, call.Threshold));
        }
    }
}
