using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Engine
{
    /// <summary>
    /// The CPU fast path in float32/float64: tensors in, <see cref="VectorizedKernel"/> passes over their memory. Taken when
    /// <see cref="Applies"/>; it writes the same bits as the composed ops of the definition (asserted by the conformance
    /// tests), and libtorch's own sum and mean reduce what it writes.
    /// </summary>
    internal static class VectorizedForm
    {
        /// <summary>
        /// Whether the vector form computes a call: on the CPU, float32 or float64, a definition that vectorizes there (every
        /// parameter a number), input and target of one shape and contiguous, not empty, and small enough for a <c>Span</c>
        /// (TorchSharp hands out CPU memory as one). Reads devices, dtypes and strides only.
        /// </summary>
        public static bool Applies<TLoss>(TLoss loss, Tensor input, Tensor target, Validation.LossShapes shapes)
            where TLoss : struct, IPointwiseLoss<TLoss>
        {
            if (input.device_type != DeviceType.CPU || shapes.ElementCount == 0 || !Validation.Broadcasting.Same(shapes.Input, shapes.Target))
                return false;
            long bytesPerElement = input.dtype switch
            {
                ScalarType.Float32 => 4,
                ScalarType.Float64 => 8,
                _ => 0,
            };
            return bytesPerElement != 0 && loss.Vectorizes(input.dtype) && shapes.ElementCount <= int.MaxValue / bytesPerElement
                && input.is_contiguous() && target.is_contiguous();
        }

        /// <summary>A fresh tensor of ρ(input − target), times the weight when given (fused when the weight has the loss's shape, dtype and layout).</summary>
        public static Tensor Values<TLoss>(TLoss loss, Tensor input, Tensor target, Tensor? weight, Validation.LossShapes shapes)
            where TLoss : struct, IPointwiseLoss<TLoss>
        {
            var output = torch.empty_like(input);
            // The shapes were read by the argument checks; here input's shape is the loss's.
            bool fused = weight is not null && weight.dtype == input.dtype && shapes.Weight is { } weightShape
                && Validation.Broadcasting.Same(weightShape, shapes.Loss) && weight.is_contiguous();
            if (input.dtype == ScalarType.Float32)
                Values<TLoss, float>(loss, input, target, fused ? weight : null, output);
            else
                Values<TLoss, double>(loss, input, target, fused ? weight : null, output);
            if (weight is not null && !fused)
                output.mul_(weight);
            return output;
        }

        /// <summary>
        /// libtorch's Mean (or the sum divided by the normaliser) of a fresh elementwise tensor: its sum, then the division done
        /// in the dtype on the 0-d result's memory, which is what libtorch's CPU mean computes (sum, then <c>div_</c> by the
        /// element count converted to the dtype) without the cost of a 0-d op. None, Sum and a tensor normaliser as <see cref="Reductions.Reduce"/>.
        /// </summary>
        public static Tensor Reduce(Tensor elementwise, nn.Reduction reduction, LossNormalizer? normalizer, double? meanDivisor)
        {
            if (reduction != nn.Reduction.Mean || meanDivisor is not double divisor)
                return Reductions.Reduce(elementwise, reduction, normalizer);
            var sum = elementwise.sum();
            if (sum.dtype == ScalarType.Float32)
                DivideInPlace<float>(sum, divisor);
            else
                DivideInPlace<double>(sum, divisor);
            return sum;
        }

        /// <summary>
        /// s·ρ′(input − target) into <paramref name="gradInput"/> and its negation into <paramref name="gradTarget"/> (either may
        /// be null). <paramref name="scale"/> is one factor per element, of the loss's shape; or a 0-d CPU tensor, read as a
        /// number and divided by <paramref name="divisor"/> in the dtype when it is given (Mean's backward: the incoming gradient
        /// divided as <see cref="Reductions.Scale"/> divides it, without the cost of a 0-d op).
        /// </summary>
        public static void ScaledDerivatives<TLoss>(TLoss loss, Tensor input, Tensor target, Tensor scale, double? divisor, Tensor? gradInput, Tensor? gradTarget)
            where TLoss : struct, IPointwiseLoss<TLoss>
        {
            if (input.dtype == ScalarType.Float32)
                ScaledDerivatives<TLoss, float>(loss, input, target, scale, divisor, gradInput, gradTarget);
            else
                ScaledDerivatives<TLoss, double>(loss, input, target, scale, divisor, gradInput, gradTarget);
        }

        private static unsafe void DivideInPlace<T>(Tensor scalar, double divisor) where T : unmanaged, IFloatingPointIeee754<T>
        {
            fixed (byte* value = scalar.bytes)
                *(T*)value /= T.CreateTruncating(divisor);
        }

        private static unsafe void Values<TLoss, T>(TLoss loss, Tensor input, Tensor target, Tensor? weight, Tensor output)
            where TLoss : struct, IPointwiseLoss<TLoss>
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            fixed (byte* a = input.bytes, b = target.bytes, w = weight is null ? default : weight.bytes, o = output.bytes)
                VectorizedKernel.Values(loss, (T*)a, (T*)b, (T*)w, (T*)o, input.numel());
        }

        private static unsafe void ScaledDerivatives<TLoss, T>(TLoss loss, Tensor input, Tensor target, Tensor scale, double? divisor, Tensor? gradInput, Tensor? gradTarget)
            where TLoss : struct, IPointwiseLoss<TLoss>
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            // A 0-d CPU scale is read from memory (no device sync); a per-element one must be contiguous.
            var scales = scale.dim() == 0 ? null : scale.contiguous();
            var uniform = scales is null ? scale.item<T>() : T.One;
            if (scales is null && divisor is double value)
                uniform /= T.CreateTruncating(value);
            fixed (byte* a = input.bytes, b = target.bytes, s = scales is null ? default : scales.bytes,
                   i = gradInput is null ? default : gradInput.bytes, t = gradTarget is null ? default : gradTarget.bytes)
                VectorizedKernel.ScaledDerivatives(loss, (T*)a, (T*)b, uniform, (T*)s, (T*)i, (T*)t, input.numel());
        }
    }
}
