using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Support
{
    /// <summary>Deterministic test tensors built on the host (no native random generator, no implicit Scalars).</summary>
    internal static class Inputs
    {
        /// <summary>
        /// Values uniform in [−2·scale, 2·scale): with scale = the threshold, about half of the differences of two such
        /// tensors fall inside the quadratic zone and half in the linear one.
        /// </summary>
        public static Tensor Uniform(long[] shape, ScalarType dtype, double scale, int seed)
        {
            var random = new Random(seed);
            var values = new double[shape.Aggregate(1L, (n, size) => n * size)];
            for (int i = 0; i < values.Length; i++)
                values[i] = scale * (4 * random.NextDouble() - 2);
            return Of(values, shape, dtype);
        }

        /// <summary>A tensor of the given values and shape (0-d when the shape is empty).</summary>
        public static Tensor Of(double[] values, long[] shape, ScalarType dtype) =>
            shape.Length == 0 ? tensor(values.Single(), dtype) : tensor(values, shape, dtype);

        /// <summary>The value as <paramref name="dtype"/> stores it (rounded to its precision).</summary>
        public static double Representable(double value, ScalarType dtype)
        {
            using var stored = tensor(value, dtype);
            return HostValues.Scalar(stored);
        }

        /// <summary>A 1-D tensor of the given values.</summary>
        public static Tensor Of(ScalarType dtype, params double[] values) => tensor(values, dtype);
    }
}
