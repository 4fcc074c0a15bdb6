using System;

namespace PartitionFunction
{
    /// <summary>
    /// The cubic Hermite spline through (αᵢ, log Z(αᵢ)) with slopes d log Z/dα(αᵢ), evaluated as the library evaluates it
    /// (src/TorchLosses/Losses/LogPartition.cs): on segment i, with h = αᵢ₊₁ − αᵢ and t = (α − αᵢ)/h,
    /// p(t) = c₀ + t·(c₁ + t·(c₂ + t·c₃)), c₀ = yᵢ, c₁ = h·mᵢ, c₂ = 3(yᵢ₊₁ − yᵢ) − h(2mᵢ + mᵢ₊₁),
    /// c₃ = 2(yᵢ − yᵢ₊₁) + h(mᵢ + mᵢ₊₁).
    /// </summary>
    internal sealed class HermiteSpline(double[] knots, double[] values, double[] slopes)
    {
        public double Evaluate(double alpha)
        {
            var (t, _, c0, c1, c2, c3) = Segment(alpha);
            return c0 + t * (c1 + t * (c2 + t * c3));
        }

        /// <summary>The spline's derivative in α, (c₁ + 2c₂t + 3c₃t²)/h: what autograd gives through the library's cubic.</summary>
        public double Slope(double alpha)
        {
            var (t, h, _, c1, c2, c3) = Segment(alpha);
            return (c1 + t * (2.0 * c2 + t * 3.0 * c3)) / h;
        }

        private (double T, double H, double C0, double C1, double C2, double C3) Segment(double alpha)
        {
            var i = Array.BinarySearch(knots, alpha);
            if (i < 0)
                i = ~i - 1;
            i = Math.Clamp(i, 0, knots.Length - 2);
            var h = knots[i + 1] - knots[i];
            var t = (alpha - knots[i]) / h;
            var c1 = h * slopes[i];
            var c2 = 3.0 * (values[i + 1] - values[i]) - h * (2.0 * slopes[i] + slopes[i + 1]);
            var c3 = 2.0 * (values[i] - values[i + 1]) + h * (slopes[i] + slopes[i + 1]);
            return (t, h, values[i], c1, c2, c3);
        }
    }
}
