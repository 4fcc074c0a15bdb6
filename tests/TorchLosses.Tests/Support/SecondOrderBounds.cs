using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Support
{
    /// <summary>
    /// How far (in ulps of the dtype) our second derivatives may be from libtorch's double backward. libtorch computes a
    /// directional second derivative as ((v·go)·[|x| &lt; τ]) / β / N, dividing by β and N (SecondOrderTests'
    /// harness check shows it bit for bit); an engine written like our first order multiplies by the reciprocal 1/N (and
    /// may by 1/β), which rounds once more. Each nonzero bound counts those roundings and was measured (SECOND_ORDER_LOG)
    /// with two twice-differentiable reference implementations written like our first order, one dividing by β and one
    /// multiplying by 1/β: the largest measured distance is given with each bound.
    /// </summary>
    internal static class SecondOrderBounds
    {
        /// <summary>Which libtorch reference a case compares with.</summary>
        public enum Variant
        {
            /// <summary>libtorch's fused loss, reduced by the kernel.</summary>
            Plain,

            /// <summary>reduce(weight · libtorch's elementwise loss).</summary>
            Weighted,

            /// <summary>(weight ·) elementwise loss, summed, divided by the normaliser.</summary>
            Normalized,

            /// <summary>libtorch's elementwise loss per column, stacked, reduced: as Plain, bounded per column.</summary>
            TensorThreshold,
        }

        /// <summary>What a directional second derivative is taken with respect to.</summary>
        public enum Component
        {
            /// <summary>Input, target, or a weight of the loss's shape: one product per element.</summary>
            Elementwise,

            /// <summary>The upstream gradient of reduction None: that is the first-order gradient with upstream v.</summary>
            Upstream,

            /// <summary>A broadcast weight: each entry sums a column (bounded in ulps of the largest entry).</summary>
            Summed,
        }

        public static long AllowedUlps(LossKind kind, double threshold, ScalarType dtype, nn.Reduction reduction, long count, Variant variant, Component component)
        {
            bool half = dtype is ScalarType.Float16 or ScalarType.BFloat16;
            // Smooth L1 at a β that is not a power of two: libtorch divides by β, an engine may multiply by 1/β rounded
            // (measured: 1 ulp for Sum/None, 2 for Mean at N = 7 with one such engine, 0 with the other).
            long beta = kind == LossKind.SmoothL1 && threshold > 0 && !PowerOfTwo(threshold) ? 1 : 0;
            bool composed = variant is Variant.Weighted or Variant.Normalized;
            switch (component)
            {
                case Component.Summed:
                    // Measured 2 ulps of the largest entry, but both measured engines sum a column with the same kernel as
                    // libtorch's expand backward; another summation order over 512 rows that partly cancel can cost an
                    // order of magnitude more.
                    return 16;
                case Component.Upstream:
                    // ∂(g·v)/∂go is the first-order gradient with upstream v: the first-order parity bound. With a weight or
                    // a normaliser, the composed reference rounds w·(go/n) in another order (measured 2 ulps, 3 at β = 1/9).
                    return composed ? 2 + beta : ParityBounds.AllowedUlps(kind, threshold, dtype, broadcast: false, ParityQuantity.Gradient);
            }
            if (half)
                // libtorch's reduced-precision kernels compute in float32 and round once; an engine rounding per op
                // (measured: 1 ulp at β = 0.5 Mean, 4 at β = 1/9 Mean, float16, 2,048 elements).
                return 2 + 2 * beta;
            if (composed)
                // The reference's chain w·(go/N) then (v·that)·mask against (v·w)·(go·(1/N)): three roundings in another
                // order (measured 2 ulps for Huber, 3 for Smooth L1 at β = 1/9, with weight or normaliser 0.7).
                return 2 + beta;
            // v/N rounded once against v·(1/N): 1 ulp when N is not a power of two (measured at 7, 65,535, 100,003).
            long mean = reduction == nn.Reduction.Mean && !PowerOfTwo(count) ? 1 : 0;
            return mean + beta;
        }

        /// <summary>A per-coordinate threshold: the loosest of its columns' bounds.</summary>
        public static long AllowedUlps(LossKind kind, double[] thresholds, ScalarType dtype, nn.Reduction reduction, long count, Component component) =>
            thresholds.Max(threshold => AllowedUlps(kind, threshold, dtype, reduction, count, Variant.TensorThreshold, component));

        /// <summary>
        /// The gradient penalty 2·Xᵀ·(ℓ''·(X·gW)) goes through two matmuls, so it is compared relative to its largest
        /// entry: 4 machine epsilons (measured 0.56 ε in float32 and float64, 0 for Sum).
        /// </summary>
        public static double PenaltyRelative(ScalarType dtype) => 4 * (dtype == ScalarType.Float64 ? Math.Pow(2, -52) : Math.Pow(2, -23));

        /// <summary>max |ours − reference| in ulps of the dtype at the reference's largest magnitude.</summary>
        public static long UlpsOfLargest(Tensor ours, Tensor reference)
        {
            var a = HostValues.Of(ours);
            var b = HostValues.Of(reference);
            double largest = b.Max(Math.Abs);
            double worst = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
            if (worst == 0)
                return 0;
            if (largest == 0 || double.IsNaN(worst))
                return long.MaxValue;
            int mantissa = reference.dtype switch
            {
                ScalarType.Float64 => 52,
                ScalarType.Float32 => 23,
                ScalarType.Float16 => 10,
                _ => 7,
            };
            double ulp = Math.Pow(2, Math.Floor(Math.Log2(largest)) - mantissa);
            return (long)Math.Ceiling(worst / ulp);
        }

        private static bool PowerOfTwo(double value) => value > 0 && value == Math.Pow(2, Math.Round(Math.Log2(value)));
    }
}
