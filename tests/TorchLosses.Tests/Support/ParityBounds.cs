using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Support
{
    /// <summary>
    /// How far (in ulps of the dtype) our numbers may be from libtorch's: 0 means bit for bit. Each nonzero bound was
    /// measured (PARITY_LOG, see docs/parity.md) and has its cause written there; everything else must be bitwise.
    /// </summary>
    internal static class ParityBounds
    {
        public static long AllowedUlps(LossKind kind, double threshold, ScalarType dtype, bool broadcast, ParityQuantity quantity)
        {
            bool gradient = quantity == ParityQuantity.Gradient;
            // A broadcast gradient is a sum of elementwise gradients: a 1-ulp difference in a term can be several ulps of
            // a sum that partly cancels.
            long summed(long elementwise) => gradient && broadcast ? 16 * elementwise : elementwise;

            if (dtype is ScalarType.Float16 or ScalarType.BFloat16)
                // libtorch's reduced-precision kernels keep some intermediates in float32 and round others to the dtype,
                // differently per kernel and per dtype; we round after every op.
                return gradient ? summed(2) : 4;

            bool powerOfTwo = threshold == System.Math.Pow(2, System.Math.Round(System.Math.Log2(threshold)));
            if (kind == LossKind.SmoothL1 && !powerOfTwo)
                // (x − c/2)·(c/β) and c/β·g against libtorch's ½x²/β and x·g/β: different roundings when β is not a power of two.
                return summed(2);
            if (kind == LossKind.Huber && gradient && dtype == ScalarType.Float32 && (double)(float)threshold != threshold)
                // libtorch's backward multiplies by δ unrounded; ours by δ rounded to float32 (the clamp bound).
                return summed(1);
            return 0;
        }
    }
}
