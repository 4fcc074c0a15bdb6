using System;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Support
{
    /// <summary>The input layouts every parity test runs through, by name (names keep theory rows readable).</summary>
    internal static class ShapeCase
    {
        public static readonly string[] All =
        {
            "0-d", "empty", "1-D", "2-D", "3-D", "4-D", "transposed", "strided", "broadcast", "broadcast-target-larger", "large",
        };

        /// <summary>Input and target for the named case, scaled to <paramref name="threshold"/>.</summary>
        public static (Tensor Input, Tensor Target) Create(string name, ScalarType dtype, double threshold, int seed)
        {
            Tensor Make(long[] shape, int salt) => Inputs.Uniform(shape, dtype, threshold, seed * 31 + salt);
            switch (name)
            {
                case "0-d": return (Make(Array.Empty<long>(), 1), Make(Array.Empty<long>(), 2));
                case "empty": return (Make(new long[] { 0, 3 }, 1), Make(new long[] { 0, 3 }, 2));
                case "1-D": return (Make(new long[] { 37 }, 1), Make(new long[] { 37 }, 2));
                case "2-D": return (Make(new long[] { 7, 9 }, 1), Make(new long[] { 7, 9 }, 2));
                case "3-D": return (Make(new long[] { 3, 5, 7 }, 1), Make(new long[] { 3, 5, 7 }, 2));
                case "4-D": return (Make(new long[] { 2, 3, 4, 5 }, 1), Make(new long[] { 2, 3, 4, 5 }, 2));
                // Transposed views: same shape [6, 11], column-major strides.
                case "transposed": return (Make(new long[] { 11, 6 }, 1).t(), Make(new long[] { 11, 6 }, 2).t());
                // Every other column (stride 2) for input; a contiguous target of the same shape.
                case "strided": return (Make(new long[] { 5, 16 }, 1).slice(1, 0, 16, 2), Make(new long[] { 5, 8 }, 2));
                // input [4, 1, 3] against target [5, 3]: loss of shape [4, 5, 3]; both gradients are summed back.
                case "broadcast": return (Make(new long[] { 4, 1, 3 }, 1), Make(new long[] { 5, 3 }, 2));
                // target [2, 6] against input [6].
                case "broadcast-target-larger": return (Make(new long[] { 6 }, 1), Make(new long[] { 2, 6 }, 2));
                // Enough elements (12,288) for rare rounding differences to show and for vectorised inner loops.
                case "large": return (Make(new long[] { 128, 96 }, 1), Make(new long[] { 128, 96 }, 2));
                default: throw new ArgumentOutOfRangeException(nameof(name), name, "unknown shape case");
            }
        }
    }
}
