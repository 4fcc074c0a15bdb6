using System;

namespace PartitionFunction
{
    /// <summary>
    /// Where the knots go: uniformly in a coordinate v(α) that is dense where log Z is hard to interpolate.
    ///   v(α) = A·S(α − 2) + B·log(1 + α/a₀) + C·α,  S(ε) = ε·(ε² + ε₀²)^{−3/8} ≈ sign(ε)·|ε|^{1/4}.
    /// Near α = 2, log Z(α) = log √(2π) + ¼·ε·log|ε| + O(ε) with ε = α − 2 (its slope diverges logarithmically), so
    /// the fourth derivative grows like 1/(2ε³) and a cubic Hermite segment of width h at distance ε errs by about
    /// h⁴/(768ε³). Knots uniform in ε^{1/4} have h ≈ 4ε^{3/4}/A, which makes that error the same on every segment,
    /// 1/(3A⁴) per unit step of v: A = 254 gives 8e−11. α = 2 itself is never a knot (its slope is −∞); C is chosen
    /// so that α = 2 falls exactly in the middle of a segment.
    /// Near α = 0, log Z is smooth from the right but its derivatives grow fast (the Cauchy tail: the k-th derivative
    /// involves E[log^{2k}|x|]); the B term puts about B/a₀ = 800 knots per unit of α there, falling off like 1/(a₀ + α).
    /// The coefficients were tuned so that the measured error (the program prints it) is about 1e−10 or less everywhere.
    /// </summary>
    internal sealed class KnotLayout
    {
        public const double A = 254.0;
        public const double B = 40.0;
        public const double A0 = 0.05;
        public const double Epsilon0 = 1e-12;
        public const double Lo = 0.0;
        public const double Hi = 4.0;
        public const double Singular = 2.0;

        private readonly double c;

        private KnotLayout(double c, int segments)
        {
            this.c = c;
            Segments = segments;
        }

        public int Segments { get; }

        /// <summary>The layout with this many segments on [0, 4], with α = 2 in the middle of one of them.</summary>
        public static KnotLayout WithSegments(int segments)
        {
            // With P(C) = v(2) − v(0) = P₀ + 2C and Q(C) = v(4) − v(0) = Q₀ + 4C, α = 2 sits at the middle of segment K when
            // P/(Q/N) = K + ½: C = ((K + ½)·Q₀ − N·P₀) / (2N − 4(K + ½)), with K the nearest such index for C = 0.
            var p0 = Base(Singular) - Base(Lo);
            var q0 = Base(Hi) - Base(Lo);
            var k = Math.Round(segments * p0 / q0 - 0.5);
            var c = ((k + 0.5) * q0 - segments * p0) / (2.0 * segments - 4.0 * (k + 0.5));
            if (Math.Abs(c) > 10.0)
                throw new ArgumentOutOfRangeException(nameof(segments), "Too few segments for this layout.");
            return new KnotLayout(c, segments);
        }

        /// <summary>The layout's coordinate, increasing in α.</summary>
        public double V(double alpha) => Base(alpha) + c * alpha;

        /// <summary>The knots α₀ = 0 &lt; α₁ &lt; … &lt; α_N = 4, uniform in v.</summary>
        public double[] Knots()
        {
            var v0 = V(Lo);
            var step = (V(Hi) - v0) / Segments;
            var knots = new double[Segments + 1];
            knots[0] = Lo;
            knots[Segments] = Hi;
            for (var i = 1; i < Segments; i++)
                knots[i] = Inverse(v0 + i * step);
            return knots;
        }

        /// <summary>The index of the segment that contains α = 2 (it is in the middle of it).</summary>
        public int SingularSegment()
        {
            var v0 = V(Lo);
            var step = (V(Hi) - v0) / Segments;
            return (int)Math.Floor((V(Singular) - v0) / step);
        }

        private static double Base(double alpha)
        {
            var e = alpha - Singular;
            return A * e * Math.Pow(e * e + Epsilon0 * Epsilon0, -0.375) + B * Math.Log(1.0 + alpha / A0);
        }

        /// <summary>α with V(α) = target, by bisection to the last bit (V is increasing).</summary>
        private double Inverse(double target)
        {
            double lo = Lo, hi = Hi;
            while (true)
            {
                var mid = 0.5 * (lo + hi);
                if (mid <= lo || mid >= hi)
                    return V(hi) - target < target - V(lo) ? hi : lo;
                if (V(mid) < target)
                    lo = mid;
                else
                    hi = mid;
            }
        }
    }
}
