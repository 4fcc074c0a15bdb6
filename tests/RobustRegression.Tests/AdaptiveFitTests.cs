using System;
using System.Linq;
using Xunit.Abstractions;

namespace RobustRegression.Tests
{
    /// <summary>
    /// The adaptive fit against the likelihood computed independently in plain double arithmetic: Barron's ρ from its
    /// formula and log Z(α) by quadrature (no TorchSharp, no TorchLosses).
    /// </summary>
    public class AdaptiveFitTests(ITestOutputHelper output)
    {
        private static readonly Lazy<RegressionFit> Fit = new(() => Program.FitAll().Single(f => f.Method == "adaptive"));

        /// <summary>ρ(x, α, 1) = (|α − 2|/α)·((x²/|α − 2| + 1)^(α/2) − 1) for 0 &lt; α &lt; 2.</summary>
        private static double Rho(double x, double alpha)
        {
            double b = Math.Abs(alpha - 2);
            return b / alpha * (Math.Pow(x * x / b + 1, alpha / 2) - 1);
        }

        /// <summary>log ∫ exp(−ρ(x, α, 1)) dx by Simpson's rule in t, with x = sinh t on [−50, 50].</summary>
        private static double LogZ(double alpha)
        {
            const int n = 200_000;
            const double limit = 50, h = 2 * limit / n;
            double sum = 0;
            for (int k = 0; k <= n; k++)
            {
                double t = -limit + k * h;
                double f = Math.Exp(-Rho(Math.Sinh(t), alpha)) * Math.Cosh(t);
                sum += (k == 0 || k == n ? 1 : k % 2 == 1 ? 4 : 2) * f;
            }
            return Math.Log(sum * h / 3);
        }

        /// <summary>Σᵢ ρ(rᵢ/c, α) + log c + log Z(α): the negative log-likelihood the adaptive loss sums.</summary>
        private static double NegativeLogLikelihood(double[] b, double c, double alpha)
        {
            double logZ = LogZ(alpha);
            return Reference.Residuals(b).Sum(r => Rho(r / c, alpha) + Math.Log(c) + logZ);
        }

        private static double[] Coefficients(RegressionFit fit) => new[] { fit.Intercept }.Concat(fit.Coefficients).ToArray();

        [Fact]
        public void Quadrature_gives_the_closed_form_log_partition_at_alpha_one()
        {
            // Z(1) = 2e·K₁(1), K₁(1) = 0.6019072301972346 (the modified Bessel function of the second kind): checks the reference.
            Assert.Equal(Math.Log(2 * Math.E * 0.6019072301972346), LogZ(1.0), 12);
        }

        [Fact]
        public void Alpha_lies_inside_its_bounds_and_the_scale_is_positive()
        {
            var fit = Fit.Value;
            Assert.NotNull(fit.Alpha);
            Assert.InRange(fit.Alpha!.Value, Fits.AlphaLow + 1e-6, Fits.AlphaHigh - 1e-6);
            Assert.True(fit.Scale > 0);
            output.WriteLine($"α = {fit.Alpha:R}, c = {fit.Scale:R}");
        }

        [Fact]
        public void Coefficients_and_scale_solve_the_likelihood_equations()
        {
            // ∂/∂β: Σ wᵢ·rᵢ·xᵢ = 0; ∂/∂c: Σ wᵢ·(rᵢ/c)² = n; with wᵢ = (1 + (rᵢ/c)²/|α − 2|)^(α/2 − 1), ρ′(u) = u·w(u).
            var fit = Fit.Value;
            double alpha = fit.Alpha!.Value, c = fit.Scale;
            double[] r = Reference.Residuals(Coefficients(fit));
            double[] w = r.Select(v => Math.Pow(1 + v * v / (c * c) / Math.Abs(alpha - 2), alpha / 2 - 1)).ToArray();
            var x = Reference.X();
            for (int j = 0; j < 4; j++)
            {
                double equation = 0, size = 0;
                for (int i = 0; i < r.Length; i++)
                {
                    equation += w[i] * r[i] * x[i, j];
                    size += Math.Abs(w[i] * r[i] * x[i, j]);
                }
                Assert.True(Math.Abs(equation) <= 1e-10 * size, $"β{j}: Σ w r x = {equation} (terms of size {size})");
            }
            double scaleEquation = r.Select((v, i) => w[i] * v * v / (c * c)).Sum();
            Assert.Equal(r.Length, scaleEquation, 8);
            // The weights the sample reports are these.
            for (int i = 0; i < r.Length; i++)
                Assert.True(Math.Abs(fit.Weights[i] - w[i]) <= 1e-12, $"weight {i + 1}: {fit.Weights[i]} against {w[i]}");
        }

        [Fact]
        public void The_fit_is_a_minimum_of_the_independently_computed_likelihood()
        {
            var fit = Fit.Value;
            double[] b = Coefficients(fit);
            double c = fit.Scale, alpha = fit.Alpha!.Value;
            double best = NegativeLogLikelihood(b, c, alpha);
            for (int j = 0; j < 6; j++)
            foreach (double sign in new[] { -1.0, 1.0 })
            {
                double[] bb = (double[])b.Clone();
                double cc = c, aa = alpha;
                if (j < 4) bb[j] += sign * 1e-4 * Math.Max(1, Math.Abs(b[j]));
                else if (j == 4) cc += sign * 1e-4;
                else aa += sign * 1e-3;
                double moved = NegativeLogLikelihood(bb, cc, aa);
                Assert.True(moved > best, $"parameter {j}, step {sign}: {moved:R} is not above {best:R}");
            }
            output.WriteLine($"negative log-likelihood at the fit {best:R}");
        }

        [Fact]
        public void The_classical_outliers_get_the_four_lowest_weights()
        {
            // Observations 1, 3, 4 and 21: the outliers every robust analysis of these data finds.
            var lowest = Fit.Value.Weights.Select((w, i) => (w, i: i + 1)).OrderBy(p => p.w).Take(4).Select(p => p.i).OrderBy(i => i);
            Assert.Equal(new[] { 1, 3, 4, 21 }, lowest);
        }
    }
}
