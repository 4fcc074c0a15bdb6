using System;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// log Z(α), the log partition function of Barron's general robust loss, which the adaptive loss's negative
    /// log-likelihood ρ(x, α, c) + log c + log Z(α) needs. With ρ(x, α, c) = (|α − 2|/α)·(((x/c)²/|α − 2| + 1)^{α/2} − 1),
    /// the density is p(x | α, c) = exp(−ρ(x, α, c)) / (c·Z(α)) and Z(α) = ∫ exp(−ρ(x, α, 1)) dx over the real line,
    /// finite for α ≥ 0 (for α &lt; 0, ρ is bounded and Z is infinite). Closed forms: Z(0) = π√2, Z(1) = 2e·K₁(1),
    /// Z(2) = √(2π).
    /// <para>
    /// Evaluated as a cubic Hermite spline in α through the 781 knots of <see cref="LogPartitionKnots"/>
    /// (values and slopes integrated by tools/PartitionFunction to about 1e−15, see docs/log-partition.md). Range:
    /// α ∈ [0, 4]; α outside it is clamped into it (log Z(0) below 0, log Z(4) above 4, with zero gradient there).
    /// Measured accuracy in float64: |spline − log Z| ≤ 8.1e−11 over the whole range (at ¼, ½ and ¾ of every segment,
    /// against direct integration; an independent Gauss–Legendre quadrature in the tests agrees to 7.7e−11); exact to
    /// rounding at the knots, among them α = 0 (log(π√2)); 1.1e−16 from log √(2π) at α = 2 and 2.3e−13 from
    /// log(2e·K₁(1)) at α = 1. In float32, within 4e−7 of the float64 spline.
    /// </para>
    /// <para>
    /// Near α = 2 the true slope diverges: log Z(α) = log √(2π) + ¼·ε·log|ε| + O(ε) with ε = α − 2, so d log Z/dα → −∞
    /// (logarithmically: −1.4 at |ε| = 1e−3, −3.1 at 1e−6). The knots crowd towards 2 (segments as narrow as 3e−11, α = 2
    /// in the middle of one of them), so the value keeps its accuracy there. The slope, which autograd gives, is the
    /// cubic's: within 4.5e−9 of d log Z/dα for |ε| ≥ 0.01, 4.4e−7 for |ε| ≥ 1e−4, 4.8e−5 for |ε| ≥ 1e−6, 2.2e−3 for
    /// |ε| ≥ 1e−8, and finite everywhere: −6.28 at α = 2 itself, where the true slope is −∞.
    /// </para>
    /// </summary>
    internal static class LogPartition
    {
        /// <summary>The smallest α of the table; smaller α is clamped to it.</summary>
        public const double AlphaMin = 0.0;

        /// <summary>The largest α of the table; larger α is clamped to it.</summary>
        public const double AlphaMax = 4.0;

        /// <summary>Columns of <see cref="Segments"/>: left knot, width, then the cubic's coefficients c₀ … c₃ in t.</summary>
        private const int Columns = 6;

        /// <summary>The interior knots α₁ … α_{n−1}: the segment of α is the number of them ≤ α.</summary>
        private static readonly double[] InnerKnots;

        /// <summary>
        /// One row per segment [αᵢ, αᵢ₊₁]: αᵢ, h = αᵢ₊₁ − αᵢ and, for t = (α − αᵢ)/h, the coefficients of
        /// p(t) = c₀ + t·(c₁ + t·(c₂ + t·c₃)): c₀ = yᵢ, c₁ = h·mᵢ, c₂ = 3(yᵢ₊₁ − yᵢ) − h(2mᵢ + mᵢ₊₁),
        /// c₃ = 2(yᵢ − yᵢ₊₁) + h(mᵢ + mᵢ₊₁), with y = log Z and m = d log Z/dα at the knots.
        /// </summary>
        private static readonly double[] Segments;

        private static readonly int SegmentCount;

        static LogPartition()
        {
            var knots = LogPartitionKnots.Alpha;
            var values = LogPartitionKnots.LogZ;
            var slopes = LogPartitionKnots.Slope;
            SegmentCount = knots.Length - 1;
            InnerKnots = knots[1..^1].ToArray();
            Segments = new double[SegmentCount * Columns];
            for (var i = 0; i < SegmentCount; i++)
            {
                var h = knots[i + 1] - knots[i];
                var row = Segments.AsSpan(i * Columns, Columns);
                row[0] = knots[i];
                row[1] = h;
                row[2] = values[i];
                row[3] = h * slopes[i];
                row[4] = 3.0 * (values[i + 1] - values[i]) - h * (2.0 * slopes[i] + slopes[i + 1]);
                row[5] = 2.0 * (values[i] - values[i + 1]) + h * (slopes[i] + slopes[i + 1]);
            }
        }

        /// <summary>
        /// log Z(α) elementwise, for a float32 or float64 α of any shape on any device, by composed TorchSharp ops
        /// (no host synchronisation). Differentiable: autograd's first and second derivatives are those of the spline's
        /// cubic in α (the segment lookup carries no gradient; outside [0, 4] the gradient is 0). NaN stays NaN.
        /// </summary>
        /// <param name="alpha">The shape parameter; not modified or disposed.</param>
        /// <returns>A new tensor of alpha's shape, dtype and device.</returns>
        public static Tensor Of(Tensor alpha)
        {
            ArgumentNullException.ThrowIfNull(alpha);
            if (alpha.dtype != ScalarType.Float32 && alpha.dtype != ScalarType.Float64)
                throw new ArgumentException($"log Z(α) takes a float32 or float64 α; got {alpha.dtype}.", nameof(alpha));

            using var scope = torch.NewDisposeScope();
            using var lo = AlphaMin.ToScalar();
            using var hi = AlphaMax.ToScalar();
            using var one = 1.0.ToScalar();
            var a = alpha.clamp(lo, hi);
            var inner = torch.tensor(InnerKnots, dtype: alpha.dtype, device: alpha.device);
            var table = torch.tensor(Segments, [SegmentCount, Columns], dtype: alpha.dtype, device: alpha.device);
            Tensor rows;
            using (torch.no_grad())
            {
                using var segment = torch.bucketize(a, inner, right: true);
                using var flat = segment.flatten();
                rows = table.index_select(0, flat);
            }
            var shape = a.shape;
            Tensor Column(int j) => rows.select(1, j).reshape(shape);

            var t = a.sub(Column(0)).div(Column(1));
            var p = torch.addcmul(Column(4), Column(5), t, one);
            p = torch.addcmul(Column(3), p, t, one);
            p = torch.addcmul(Column(2), p, t, one);
            return p.MoveToOuterDisposeScope();
        }

        /// <summary>
        /// The same spline evaluated on the host in double precision (the operations of <see cref="Of(Tensor)"/>, in the
        /// same order). α outside [0, 4] is clamped; NaN gives NaN.
        /// </summary>
        public static double Of(double alpha)
        {
            if (double.IsNaN(alpha))
                return double.NaN;
            var a = Math.Clamp(alpha, AlphaMin, AlphaMax);
            var i = UpperBound(InnerKnots, a);
            var row = Segments.AsSpan(i * Columns, Columns);
            var t = (a - row[0]) / row[1];
            var p = row[4] + row[5] * t;
            p = row[3] + p * t;
            return row[2] + p * t;
        }

        /// <summary>The number of entries of the increasing array that are ≤ value.</summary>
        private static int UpperBound(double[] sorted, double value)
        {
            int lo = 0, hi = sorted.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (sorted[mid] <= value)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            return lo;
        }
    }
}
