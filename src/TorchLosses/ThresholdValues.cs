using System;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// Checks the values of a per-coordinate threshold tensor without a device sync: on the CPU, where reading values
    /// costs no sync, a bad value throws; on an accelerator, bad entries become NaN so that the loss shows them loudly
    /// instead of returning a silently wrong number.
    /// </summary>
    internal static class ThresholdValues
    {
        public static Tensor Checked(Tensor threshold, string name, RobustLossKind kind, Tensor input)
        {
            var converted = threshold.dtype == input.dtype ? threshold : threshold.to(input.dtype);
            using var zero = 0.0.ToScalar();
            var invalid = kind == RobustLossKind.Huber ? converted.le(zero) : converted.lt(zero);
            invalid.logical_or_(converted.isnan());
            if (converted.device_type == DeviceType.CPU)
            {
                if (invalid.any().item<bool>())
                    throw new ArgumentOutOfRangeException(name,
                        kind == RobustLossKind.Huber
                            ? $"every entry of {name} must be > 0 and not NaN."
                            : $"every entry of {name} must be >= 0 (0 gives L1 loss for that coordinate) and not NaN.");
                return converted;
            }
            using var nan = double.NaN.ToScalar();
            return converted.masked_fill(invalid, nan);
        }
    }
}
