using System;
using System.Linq;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// log Z(α) of Barron's general robust loss (<see cref="LogPartition"/>): the closed forms, an independent quadrature
    /// at α between the knots, the tensor form against the host form, autograd's first and second derivatives against
    /// finite differences, float32, continuity at the knots, clamping, and memory.
    /// </summary>
    public class LogPartitionTests(ITestOutputHelper output)
    {
        /// <summary>What the generator guarantees and docs/log-partition.md states: |spline − log Z| ≤ 1e−10 on [0, 4].</summary>
        private const double SplineTolerance = 1e-10;

        /// <summary>α between knots (none is a knot), dense near 0 and 2 where log Z is hardest to follow.</summary>
        private static readonly double[] OffKnotAlphas =
        [
            1e-4, 0.003, 0.0517, 0.2, 0.5, 0.777, 1.0001, 1.3, 1.75, 1.95, 1.999, 1.99999, 2.00001, 2.001, 2.05, 2.5, 3.1, 3.75, 3.999,
        ];

        // ---------------------------------------------------------------- closed forms

        [Fact]
        public void Closed_forms_hold()
        {
            // α = 0 is a knot (value integrated to ~1e−16); α = 1 and α = 2 lie inside segments.
            var cauchy = Math.Log(Math.PI * Math.Sqrt(2.0));
            var gauss = 0.5 * Math.Log(2.0 * Math.PI);
            var k1 = Math.Log(2.0 * Math.E * BesselK1Series(1.0));
            output.WriteLine($"log Z(0) error {LogPartition.Of(0.0) - cauchy:E2}, log Z(1) error {LogPartition.Of(1.0) - k1:E2}, log Z(2) error {LogPartition.Of(2.0) - gauss:E2}");
            Assert.InRange(LogPartition.Of(0.0) - cauchy, -1e-14, 1e-14);
            Assert.InRange(LogPartition.Of(1.0) - k1, -SplineTolerance, SplineTolerance);
            Assert.InRange(LogPartition.Of(2.0) - gauss, -SplineTolerance, SplineTolerance);

            using var scope = NewDisposeScope();
            var values = LogPartition.Of(tensor(new[] { 0.0, 1.0, 2.0 }, ScalarType.Float64)).data<double>().ToArray();
            Assert.InRange(values[0] - cauchy, -1e-14, 1e-14);
            Assert.InRange(values[1] - k1, -SplineTolerance, SplineTolerance);
            Assert.InRange(values[2] - gauss, -SplineTolerance, SplineTolerance);
        }

        [Fact]
        public void Bessel_series_matches_its_integral()
        {
            // The reference K₁(1) of Closed_forms_hold, checked against K₁(x) = ∫₀^∞ e^{−x·cosh t}·cosh t dt (trapezoidal rule).
            const double step = 1.0 / 32.0;
            var integral = 0.5 * Math.Exp(-1.0);
            for (var k = 1; k * step <= 10.0; k++)
                integral += Math.Exp(-Math.Cosh(k * step)) * Math.Cosh(k * step);
            integral *= step;
            Assert.InRange(BesselK1Series(1.0) - integral, -1e-15, 1e-15);
        }

        // ---------------------------------------------------------------- an independent quadrature

        [Fact]
        public void Spline_matches_an_independent_quadrature_between_knots()
        {
            var worst = 0.0;
            foreach (var alpha in OffKnotAlphas)
            {
                var error = LogPartition.Of(alpha) - IndependentLogZ(alpha);
                output.WriteLine($"α = {alpha}: spline − Gauss–Legendre = {error:E2}");
                worst = Math.Max(worst, Math.Abs(error));
            }
            output.WriteLine($"max {worst:E2}");
            Assert.True(worst <= SplineTolerance, $"max |spline − quadrature| = {worst:E2}");
        }

        [Fact]
        public void Independent_quadrature_has_converged()
        {
            // 20 against 30 Gauss–Legendre nodes per panel, and Z(0), Z(2) against their closed forms.
            foreach (var alpha in new[] { 1e-4, 0.5, 1.99999, 2.00001, 3.999 })
                Assert.InRange(IndependentLogZ(alpha) - IndependentLogZ(alpha, 30), -1e-14, 1e-14);
            Assert.InRange(IndependentLogZ(0.0) - Math.Log(Math.PI * Math.Sqrt(2.0)), -1e-14, 1e-14);
            Assert.InRange(IndependentLogZ(2.0) - 0.5 * Math.Log(2.0 * Math.PI), -1e-14, 1e-14);
        }

        [Fact]
        public void Spline_slope_matches_differences_of_the_independent_quadrature()
        {
            // At knots the spline's slope is the generator's −E[∂ρ/∂α]; between knots it is the cubic's. Reference:
            // central differences of the Gauss–Legendre log Z at δ and δ/2, Richardson-extrapolated (error O(δ⁴)).
            var knots = LogPartitionKnots.Alpha.ToArray();
            var atKnots = new[] { 0.3, 1.0, 1.6, 2.4, 3.5 }.Select(a => knots[Array.BinarySearch(knots, a) is var i && i >= 0 ? i : ~i]).ToArray();
            var alphas = atKnots.Concat([0.25, 0.777, 1.3, 2.5, 3.1]).ToArray();
            var slopes = SplineSlopes(alphas);
            for (var i = 0; i < alphas.Length; i++)
            {
                var reference = QuadratureSlope(alphas[i]);
                var tolerance = i < atKnots.Length ? 1e-9 : 1e-7;
                output.WriteLine($"α = {alphas[i]:R}: spline slope − differences = {slopes[i] - reference:E2}");
                Assert.InRange(slopes[i] - reference, -tolerance, tolerance);
            }
        }

        // ---------------------------------------------------------------- tensor form

        [Fact]
        public void Tensor_and_host_evaluations_agree()
        {
            using var scope = NewDisposeScope();
            var alphas = Enumerable.Range(0, 2001).Select(i => -0.5 + 5.0 * i / 2000).Concat(OffKnotAlphas)
                .Concat(LogPartitionKnots.Alpha.ToArray()).Concat([2.0, BitDecrement(2.0), BitIncrement(2.0)]).ToArray();
            var values = LogPartition.Of(tensor(alphas, ScalarType.Float64).reshape(1, alphas.Length, 1)).data<double>().ToArray();
            var worst = alphas.Select((a, i) => Math.Abs(values[i] - LogPartition.Of(a))).Max();
            output.WriteLine($"max |tensor − host| = {worst:E2}");
            Assert.True(worst <= 4e-16, $"max |tensor − host| = {worst:E2}");
        }

        [Fact]
        public void Any_shape_works()
        {
            using var scope = NewDisposeScope();
            var scalar = LogPartition.Of(tensor(1.5, ScalarType.Float64));
            Assert.Empty(scalar.shape);
            Assert.Equal(LogPartition.Of(1.5), scalar.item<double>());
            var empty = LogPartition.Of(zeros(0, 3, dtype: ScalarType.Float64));
            Assert.Equal(new long[] { 0, 3 }, empty.shape);
            var grid = LogPartition.Of(linspace(0.0, 4.0, 24, dtype: ScalarType.Float32).reshape(2, 3, 4));
            Assert.Equal(new long[] { 2, 3, 4 }, grid.shape);
            Assert.Equal(ScalarType.Float32, grid.dtype);
        }

        [Fact]
        public void Alpha_outside_the_table_is_clamped_and_nan_stays_nan()
        {
            using var scope = NewDisposeScope();
            var alpha = tensor(new[] { -1.0, 0.0, 4.0, 5.0, double.NaN }, ScalarType.Float64).requires_grad_(true);
            var value = LogPartition.Of(alpha);
            value.sum().backward();
            var v = value.detach().data<double>().ToArray();
            var g = alpha.grad!.data<double>().ToArray();
            Assert.Equal(v[1], v[0]);
            Assert.Equal(v[2], v[3]);
            Assert.True(double.IsNaN(v[4]));
            Assert.Equal(0.0, g[0]);
            Assert.Equal(0.0, g[3]);
            Assert.Equal(LogPartition.Of(-1.0), LogPartition.Of(0.0));
            Assert.Equal(LogPartition.Of(5.0), LogPartition.Of(4.0));
            Assert.True(double.IsNaN(LogPartition.Of(double.NaN)));
        }

        [Fact]
        public void Non_floating_alpha_is_rejected()
        {
            using var scope = NewDisposeScope();
            var error = Assert.Throws<ArgumentException>(() => LogPartition.Of(tensor(new long[] { 1 })));
            Assert.Equal("alpha", error.ParamName);
        }

        // ---------------------------------------------------------------- derivatives

        [Fact]
        public void First_and_second_derivatives_match_finite_differences_of_the_host_spline()
        {
            // The middle of every segment at least 1e−3 wide (on narrower ones, near α = 2, differences of the host
            // spline lose too many digits). The spline is a cubic there, so with D(δ) = (f(α+δ) − f(α−δ))/(2δ) = f′ + δ²f‴/6
            // exactly, f′ = (4D(δ/2) − D(δ))/3 and f″ = (f(α+δ) − 2f(α) + f(α−δ))/δ² hold up to rounding (≈ 1e−16/δ and
            // 1e−16/δ²), with δ = h/8.
            var knots = LogPartitionKnots.Alpha.ToArray();
            var segments = Enumerable.Range(0, knots.Length - 1).Where(i => knots[i + 1] - knots[i] >= 1e-3).ToArray();
            var alphas = segments.Select(i => 0.5 * (knots[i] + knots[i + 1])).ToArray();
            var deltas = segments.Select(i => (knots[i + 1] - knots[i]) / 8).ToArray();

            using var scope = NewDisposeScope();
            var alpha = tensor(alphas, ScalarType.Float64).requires_grad_(true);
            var value = LogPartition.Of(alpha);
            Assert.True(value.requires_grad);
            var first = autograd.grad([value.sum()], [alpha], create_graph: true, retain_graph: true)[0];
            Assert.True(first.requires_grad);
            var second = autograd.grad([first.sum()], [alpha])[0];
            var d1 = first.detach().data<double>().ToArray();
            var d2 = second.data<double>().ToArray();

            double worstFirst = 0, worstSecond = 0;
            for (var i = 0; i < alphas.Length; i++)
            {
                double a = alphas[i], d = deltas[i];
                double plus = LogPartition.Of(a + d), mid = LogPartition.Of(a), minus = LogPartition.Of(a - d);
                double halfPlus = LogPartition.Of(a + d / 2), halfMinus = LogPartition.Of(a - d / 2);
                var fdFirst = (4 * (halfPlus - halfMinus) / d - (plus - minus) / (2 * d)) / 3;
                var fdSecond = (plus - 2 * mid + minus) / (d * d);
                worstFirst = Math.Max(worstFirst, Math.Abs(d1[i] - fdFirst) / (1e-14 / d + 1e-12 * Math.Abs(fdFirst)));
                worstSecond = Math.Max(worstSecond, Math.Abs(d2[i] - fdSecond) / (1e-14 / (d * d) + 1e-9 * Math.Abs(fdSecond)));
            }
            output.WriteLine($"{alphas.Length} segments; worst first-derivative error / allowance {worstFirst:F3}, second {worstSecond:F3}");
            Assert.True(worstFirst <= 1, $"first derivative: {worstFirst}");
            Assert.True(worstSecond <= 1, $"second derivative: {worstSecond}");
        }

        [Fact]
        public void Spline_and_its_slope_are_continuous_at_the_knots()
        {
            // Each interior knot from the left segment (at t ≈ 1, one ulp before the knot) and from the right (t = 0).
            var knots = LogPartitionKnots.Alpha.ToArray();
            var inner = knots[1..^1];
            var left = inner.Select(BitDecrement).ToArray();
            var leftSlopes = SplineSlopes(left);
            var rightSlopes = SplineSlopes(inner);
            for (var i = 0; i < inner.Length; i++)
            {
                var width = Math.Min(inner[i] - knots[i], knots[i + 2] - inner[i]);
                var valueJump = LogPartition.Of(inner[i]) - LogPartition.Of(left[i]);
                // Value: the left cubic at t = 1 is yᵢ up to rounding, plus the slope times one ulp of α.
                Assert.InRange(Math.Abs(valueJump), 0, 1e-15 + Math.Abs(rightSlopes[i]) * (inner[i] - left[i]));
                // Slope: (c₁ + 2c₂ + 3c₃)/h carries the coefficients' rounding (≈ 1e−16) divided by h.
                var slopeJump = Math.Abs(rightSlopes[i] - leftSlopes[i]);
                Assert.True(slopeJump <= 1e-12 + 4e-15 / width, $"knot {inner[i]:R}: slope jump {slopeJump:E2} (widths ≥ {width:E2})");
            }
        }

        [Fact]
        public void Slope_is_finite_and_steep_at_alpha_two()
        {
            // True slope: ¼·log|α − 2| + O(1) → −∞. The spline's stays finite and keeps falling towards 2.
            var slopes = SplineSlopes([1.9, 1.99, 1.9999, 1.999999, 2.0 - 1e-9, 2.0, 2.0 + 1e-9, 2.000001, 2.0001, 2.01, 2.1]);
            output.WriteLine(string.Join(", ", slopes.Select(s => s.ToString("F4"))));
            Assert.All(slopes, s => Assert.True(double.IsFinite(s)));
            for (var i = 0; i < 5; i++)
                Assert.True(slopes[i + 1] < slopes[i], $"slope {i + 1} not below slope {i}");
            for (var i = 5; i < 10; i++)
                Assert.True(slopes[i + 1] > slopes[i], $"slope {i + 1} not above slope {i}");
            Assert.InRange(slopes[5], -8.0, -5.0);
        }

        // ---------------------------------------------------------------- float32, memory

        [Fact]
        public void Float32_agrees_with_float64()
        {
            using var scope = NewDisposeScope();
            var alphas32 = Enumerable.Range(0, 4001).Select(i => (float)(4.0 * i / 4000)).Concat(OffKnotAlphas.Select(a => (float)a))
                .Concat([2f, MathF.BitDecrement(2f), MathF.BitIncrement(2f), MathF.BitIncrement(MathF.BitIncrement(2f))]).ToArray();
            var alpha = tensor(alphas32, ScalarType.Float32).requires_grad_(true);
            var value = LogPartition.Of(alpha);
            Assert.Equal(ScalarType.Float32, value.dtype);
            value.sum().backward();
            var v = value.detach().data<float>().ToArray();
            var g = alpha.grad!.data<float>().ToArray();
            var worst = alphas32.Select((a, i) => Math.Abs(v[i] - LogPartition.Of((double)a))).Max();
            output.WriteLine($"max |float32 − host float64| = {worst:E2}");
            Assert.True(worst <= 1e-6, $"max |float32 − float64| = {worst:E2}");
            Assert.All(g, x => Assert.True(float.IsFinite(x)));
            // Away from α = 2, the float32 slope is the float64 one to float32 precision.
            var slopes64 = SplineSlopes(alphas32.Select(a => (double)a).ToArray());
            for (var i = 0; i < alphas32.Length; i++)
            {
                if (Math.Abs(alphas32[i] - 2.0) > 0.05)
                    Assert.InRange(g[i] - slopes64[i], -1e-4 * (1 + Math.Abs(slopes64[i])), 1e-4 * (1 + Math.Abs(slopes64[i])));
            }
        }

        [Fact]
        public void Leaves_one_new_tensor_and_its_input_intact()
        {
            using var scope = NewDisposeScope();
            var alpha = tensor(new[] { 0.5, 1.5, 2.5 }, ScalarType.Float64).requires_grad_(true);
            var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            var value = LogPartition.Of(alpha);
            Assert.Equal(before + 1, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            value.Dispose();
            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            Assert.False(alpha.IsInvalid);
            Assert.Equal(new[] { 0.5, 1.5, 2.5 }, alpha.detach().data<double>().ToArray());
        }

        [SkippableFact]
        [Trait("Category", "CUDA")]
        public void Works_on_cuda()
        {
            Skip.IfNot(cuda.is_available(), "CUDA is not available");
            using var scope = NewDisposeScope();
            var alphas = new[] { 0.0, 0.3, 1.0, 1.999, 2.0, 3.7, 4.0 };
            var value = LogPartition.Of(tensor(alphas, ScalarType.Float64, CUDA)).cpu().data<double>().ToArray();
            for (var i = 0; i < alphas.Length; i++)
                Assert.InRange(value[i] - LogPartition.Of(alphas[i]), -1e-15, 1e-15);
        }

        // ---------------------------------------------------------------- helpers

        /// <summary>The spline's slope at each α, by autograd through <see cref="LogPartition.Of(Tensor)"/> (float64).</summary>
        private static double[] SplineSlopes(double[] alphas)
        {
            using var scope = NewDisposeScope();
            var alpha = tensor(alphas, ScalarType.Float64).requires_grad_(true);
            LogPartition.Of(alpha).sum().backward();
            return alpha.grad!.data<double>().ToArray();
        }

        /// <summary>d log Z/dα from the independent quadrature: central differences at δ = 1e−3 and δ/2, Richardson-extrapolated.</summary>
        private static double QuadratureSlope(double alpha)
        {
            static double Difference(double a, double d) => (IndependentLogZ(a + d) - IndependentLogZ(a - d)) / (2 * d);
            const double delta = 1e-3;
            return (4 * Difference(alpha, delta / 2) - Difference(alpha, delta)) / 3;
        }

        /// <summary>
        /// log Z(α) by composite Gauss–Legendre quadrature in x itself (not the generator's trapezoidal rule in log x):
        /// Z = 2∫₀^∞ e^{−ρ(x)} dx over the dyadic panels [0, 2⁻⁴⁰], [2ʲ, 2ʲ⁺¹] for j = −40 … 59, with
        /// <paramref name="nodes"/> nodes each. On every panel the integrand is smooth at the panel's own scale, including
        /// the Cauchy tail at small α (it drops 2·2⁻⁵⁹ ≈ 3.5e−18 beyond 2⁶⁰) and the bend at x ≈ √|α − 2| near α = 2.
        /// </summary>
        private static double IndependentLogZ(double alpha, int nodes = 20)
        {
            var (x, w) = GaussLegendre(nodes);
            double Panel(double lo, double hi)
            {
                double half = 0.5 * (hi - lo), mid = 0.5 * (hi + lo), sum = 0;
                for (var k = 0; k < x.Length; k++)
                    sum += w[k] * Math.Exp(-Rho(mid + half * x[k], alpha));
                return half * sum;
            }
            var total = Panel(0, Math.ScaleB(1.0, -40));
            for (var j = -40; j < 60; j++)
                total += Panel(Math.ScaleB(1.0, j), Math.ScaleB(1.0, j + 1));
            return Math.Log(2 * total);
        }

        /// <summary>ρ(x, α, 1) from its definition, with Kahan's expm1 and log1p (.NET's double.ExpM1/LogP1 are the naive forms).</summary>
        private static double Rho(double x, double alpha)
        {
            var z = x * x;
            if (alpha == 2.0)
                return 0.5 * z;
            var b = Math.Abs(alpha - 2.0);
            var l = Log1p(z / b);
            return alpha == 0.0 ? l : b / alpha * Expm1(0.5 * alpha * l);
        }

        private static double Log1p(double x)
        {
            var u = 1.0 + x;
            return u == 1.0 ? x : double.IsPositiveInfinity(u) ? u : Math.Log(u) * x / (u - 1.0);
        }

        private static double Expm1(double x)
        {
            var u = Math.Exp(x);
            if (u == 1.0)
                return x;
            if (u - 1.0 == -1.0)
                return -1.0;
            return double.IsPositiveInfinity(u) ? u : (u - 1.0) * x / Math.Log(u);
        }

        /// <summary>Gauss–Legendre nodes and weights on [−1, 1]: Newton's method on Pₙ from Chebyshev guesses.</summary>
        private static (double[] Nodes, double[] Weights) GaussLegendre(int n)
        {
            var nodes = new double[n];
            var weights = new double[n];
            for (var i = 0; i < n; i++)
            {
                var x = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5));
                double derivative = 0;
                for (var iteration = 0; iteration < 100; iteration++)
                {
                    double p0 = 1, p1 = x;
                    for (var k = 2; k <= n; k++)
                        (p0, p1) = (p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k);
                    derivative = n * (x * p1 - p0) / (x * x - 1);
                    var step = p1 / derivative;
                    x -= step;
                    if (Math.Abs(step) < 1e-16)
                        break;
                }
                nodes[i] = x;
                weights[i] = 2 / ((1 - x * x) * derivative * derivative);
            }
            return (nodes, weights);
        }

        /// <summary>
        /// K₁(x) = 1/x + log(x/2)·I₁(x) − (x/4)·Σₖ (ψ(k+1) + ψ(k+2))·(x²/4)ᵏ/(k!(k+1)!), ψ(n+1) = −γ + Hₙ; I₁ by its series.
        /// </summary>
        private static double BesselK1Series(double x)
        {
            const double eulerGamma = 0.57721566490153286061;
            double q = x * x / 4, term = 1, i1 = 0, sum = 0, harmonicK = 0, harmonicK1 = 1;
            for (var k = 0; k < 40; k++)
            {
                // term = qᵏ/(k!(k+1)!)
                i1 += term;
                sum += (-2 * eulerGamma + harmonicK + harmonicK1) * term;
                term *= q / ((k + 1) * (k + 2));
                harmonicK += 1.0 / (k + 1);
                harmonicK1 += 1.0 / (k + 2);
            }
            return 1 / x + Math.Log(x / 2) * (x / 2) * i1 - x / 4 * sum;
        }

        private static double BitDecrement(double x) => Math.BitDecrement(x);

        private static double BitIncrement(double x) => Math.BitIncrement(x);
    }
}
