using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Support
{
    /// <summary>How far (in ulps of the dtype) our second derivatives may be from libtorch's double backward.</summary>
    internal static class SecondOrderBounds
    {
        public enum Variant { Plain, Weighted, Normalized, TensorThreshold }

        public enum Component { Leaf, Upstream }

        public static long AllowedUlps(LossKind kind, double threshold, ScalarType dtype, nn.Reduction reduction, long count, Variant variant, Component component)
        {
            return 0;
        }

        public static long AllowedUlps(LossKind kind, double[] thresholds, ScalarType dtype, nn.Reduction reduction, long count, Component component) =>
            thresholds.Max(threshold => AllowedUlps(kind, threshold, dtype, reduction, count, Variant.TensorThreshold, component));

        public static double PenaltyRelative(ScalarType dtype) => 0;
    }
}
