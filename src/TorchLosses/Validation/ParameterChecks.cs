using System;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Validation
{
    /// <summary>
    /// Checks of loss parameters (δ, β, …), given as numbers or as tensors, with messages that name the argument and the fix.
    /// A parameter tensor's values are read only on the CPU, where reading costs no device sync; on an accelerator bad
    /// entries become NaN, so that the loss shows them loudly instead of returning a silently wrong number.
    /// </summary>
    internal static class ParameterChecks
    {
        /// <summary>A threshold (δ, β) must be positive, or non-negative where 0 is allowed, and not NaN. +∞ is allowed (pure quadratic).</summary>
        public static void Threshold(double value, string name, bool zeroAllowed)
        {
            if (double.IsNaN(value) || value < 0 || (!zeroAllowed && value == 0))
                throw new ArgumentOutOfRangeException(name, value,
                    zeroAllowed
                        ? $"{name} must be >= 0 (0 gives exactly L1 loss); got {value}."
                        : $"{name} must be > 0; got {value}. Use smooth_l1_loss with beta = 0 for L1 loss.");
        }

        /// <summary>
        /// A per-coordinate threshold tensor: floating point, on input's device, broadcastable to the loss, every entry
        /// positive (or non-negative where 0 is allowed) and not NaN. Returns it detached (a constant, as δ and β are in
        /// PyTorch) and converted to input's dtype.
        /// </summary>
        public static Tensor ThresholdTensor(Tensor threshold, string name, bool zeroAllowed, Tensor input, long[] lossShape) =>
            ParameterTensor(threshold, name, input, lossShape,
                "give one value per coordinate, for example shape [4] for boxes of shape [N, 4].",
                values =>
                {
                    using var zero = 0.0.ToScalar();
                    var invalid = zeroAllowed ? values.lt(zero) : values.le(zero);
                    using var nan = values.isnan();
                    return invalid.logical_or_(nan);
                },
                zeroAllowed
                    ? $"every entry of {name} must be >= 0 (0 gives L1 loss for that coordinate) and not NaN."
                    : $"every entry of {name} must be > 0 and not NaN.",
                learnable: false);

        /// <summary>
        /// A loss parameter given as a tensor, checked against the call: floating point, on input's device, broadcastable to the
        /// loss of shape <paramref name="lossShape"/> (else an <see cref="ArgumentException"/> ending with <paramref name="shapeAdvice"/>),
        /// no entry <paramref name="invalid"/> — read on the CPU only, where it costs no device sync (else an
        /// <see cref="ArgumentOutOfRangeException"/> with <paramref name="requirement"/>); on an accelerator invalid entries
        /// become NaN, so that the loss shows them loudly instead of a silently wrong number. Returned in input's dtype, detached
        /// unless <paramref name="learnable"/> and it requires a gradient (then the conversion is differentiable).
        /// </summary>
        public static Tensor ParameterTensor(Tensor parameter, string name, Tensor input, long[] lossShape, string shapeAdvice,
            Func<Tensor, Tensor> invalid, string requirement, bool learnable)
        {
            ArgumentChecks.FloatingPoint(parameter, name);
            ArgumentChecks.SameDevice(input, parameter, name);
            var shape = Broadcasting.ShapeOf(parameter);
            if (!Broadcasting.BroadcastsTo(shape, lossShape))
                throw new ArgumentException(
                    $"{name} of shape {Broadcasting.Format(shape)} does not broadcast to the loss of shape {Broadcasting.Format(lossShape)}; " +
                    shapeAdvice, name);

            var source = learnable && parameter.requires_grad ? parameter : parameter.detach();
            var converted = source.dtype == input.dtype ? source : source.to(input.dtype);
            using var values = converted.detach();
            using var bad = invalid(values);
            if (converted.device_type == DeviceType.CPU)
            {
                using var any = bad.any();
                if (any.item<bool>())
                    throw new ArgumentOutOfRangeException(name, requirement);
                return converted;
            }
            using var nanValue = double.NaN.ToScalar();
            return converted.masked_fill(bad, nanValue);
        }
    }
}
