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
            var i = Array.BinarySearch(knots, alpha);
            if (i < 0)
                i = ~i - 1;
            i = Math.Clamp(i, 0, knots.Length - 2);
            var h = knots[i + 1] - knots[i];
            var t = (alpha - knots[i]) / h;
            var c0 = values[i];
            var c1 = h * slopes[i];
            var c2 = 3.0 * (values[i + 1] - values[i]) - h * (2.0 * slopes[i] + slopes[i + 1]);
            var c3 = 2.0 * (values[i] - values[i + 1]) + h * (slopes[i] + slopes[i + 1]);
            return c0 + t * (c1 + t * (c2 + t * c3));
        }
    }
}
