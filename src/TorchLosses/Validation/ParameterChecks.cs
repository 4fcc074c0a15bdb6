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
        public static Tensor ThresholdTensor(Tensor threshold, string name, bool zeroAllowed, Tensor input, long[] lossShape)
        {
            ArgumentChecks.FloatingPoint(threshold, name);
            ArgumentChecks.SameDevice(input, threshold, name);
            var thresholdShape = Broadcasting.ShapeOf(threshold);
            if (!Broadcasting.BroadcastsTo(thresholdShape, lossShape))
                throw new ArgumentException(
                    $"{name} of shape {Broadcasting.Format(thresholdShape)} does not broadcast to the loss of shape {Broadcasting.Format(lossShape)}; " +
                    "give one value per coordinate, for example shape [4] for boxes of shape [N, 4].", name);

            var detached = threshold.detach();
            var converted = detached.dtype == input.dtype ? detached : detached.to(input.dtype);
            using var zero = 0.0.ToScalar();
            using var invalid = zeroAllowed ? converted.lt(zero) : converted.le(zero);
            using var nan = converted.isnan();
            invalid.logical_or_(nan);
            if (converted.device_type == DeviceType.CPU)
            {
                if (invalid.any().item<bool>())
                    throw new ArgumentOutOfRangeException(name,
                        zeroAllowed
                            ? $"every entry of {name} must be >= 0 (0 gives L1 loss for that coordinate) and not NaN."
                            : $"every entry of {name} must be > 0 and not NaN.");
                return converted;
            }
            using var nanValue = double.NaN.ToScalar();
            return converted.masked_fill(invalid, nanValue);
        }
    }
}
