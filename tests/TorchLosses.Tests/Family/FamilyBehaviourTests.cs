using System;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Family
{
    /// <summary>
    /// The family's properties (Barron's bounds and special cases, robust_loss_pytorch's published identities), the adaptive
    /// loss's likelihood and learning, and the argument checks of every new loss.
    /// </summary>
    public class FamilyBehaviourTests(ITestOutputHelper output)
    {
        private static double[] Grid(double from, double to, double step) =>
            Enumerable.Range(0, (int)Math.Round((to - from) / step)).Select(k => from + k * step).ToArray();

        /// <summary>eᵛ − 1 accurate for small v (Kahan; .NET's double.ExpM1 is exp(v) − 1).</summary>
        private static double Expm1(double v)
        {
            double u = Math.Exp(v);
            if (u == 1) return v;
            if (u - 1 == -1) return -1;
            return double.IsPositiveInfinity(u) ? u : (u - 1) * v / Math.Log(u);
        }

        private static double[] General(double[] x, double alpha, double scale)
        {
            using var input = tensor(x, dtype: ScalarType.Float64);
            using var zero = zeros_like(input);
            using var loss = functional.general_robust_loss(input, zero, alpha, scale, nn.Reduction.None);
            return HostValues.Of(loss);
        }

        /// <summary>robust_loss_pytorch's tests/general_test.py identities, over its grid x = −20, −19.9, …, 19.9 at scale 2.</summary>
        [Theory]
        [InlineData(double.NegativeInfinity)]
        [InlineData(-2.0)]
        [InlineData(0.0)]
        [InlineData(1.0)]
        [InlineData(2.0)]
        [InlineData(4.0)]
        [InlineData(double.PositiveInfinity)]
        public void General_loss_meets_the_reference_implementations_identities(double alpha)
        {
            var x = Grid(-20, 20, 0.1);
            var ours = General(x, alpha, 2.0);
            for (int k = 0; k < x.Length; k++)
            {
                double u = x[k] / 2, z = u * u;
                double expected = alpha switch
                {
                    double.NegativeInfinity => -Expm1(-z / 2),
                    -2.0 => 2 * z / (z + 4),
                    0.0 => Math.Log(z / 2 + 1),
                    1.0 => Math.Sqrt(z + 1) - 1,
                    2.0 => z / 2,
                    4.0 => z * z / 8 + z / 2,
                    _ => Expm1(z / 2),
                };
                Assert.True(Math.Abs(ours[k] - expected) <= 1e-15 + 1e-14 * Math.Abs(expected), $"α={alpha} x={x[k]}: {ours[k]} vs {expected}");
            }
        }

        [Fact]
        public void General_loss_is_accurate_where_the_reference_implementation_cancels()
        {
            // robust_loss_pytorch gives 0.0034 here (pow(…) − 1 with a clamped divisor); the loss is log 1.5 in the limit α → 0.
            var value = General(new[] { 1.0 }, 1e-9, 1.0)[0];
            output.WriteLine($"ρ(1, 1e-9, 1) = {value:R}");
            Assert.True(Math.Abs(value - Math.Log(1.5)) < 1e-9, value.ToString("R"));
        }

        [Fact]
        public void General_loss_has_barrons_properties()
        {
            var x = Grid(-50, 50, 0.37);
            foreach (var alpha in new[] { double.NegativeInfinity, -8, -2, -0.5, 0, 0.3, 1, 1.5, 2, 3 })
            foreach (var scale in new[] { 0.3, 1.0, 4.0 })
            {
                var rho = General(x, alpha, scale);
                using var input = tensor(x, dtype: ScalarType.Float64).requires_grad_();
                using var zero = zeros_like(input);
                var loss = functional.general_robust_loss(input, zero, alpha, scale, nn.Reduction.Sum);
                var gradient = HostValues.Of(autograd.grad(new[] { loss }, new[] { input })[0]);
                for (int k = 0; k < x.Length; k++)
                {
                    int mirror = Array.FindIndex(x, v => Math.Abs(v + x[k]) < 1e-9);
                    if (mirror >= 0)
                        Assert.Equal(rho[k], rho[mirror]); // symmetric
                    Assert.True(rho[k] >= 0, $"α={alpha}: ρ({x[k]}) = {rho[k]} < 0");
                    if (alpha < 0)
                        Assert.True(rho[k] <= (alpha - 2) / alpha || double.IsNegativeInfinity(alpha) && rho[k] <= 1, $"α={alpha}: ρ({x[k]}) = {rho[k]} above the bound");
                    if (alpha <= 1)
                        Assert.True(Math.Abs(gradient[k]) <= (1 + 1e-15) / scale, $"α={alpha} c={scale}: |ρ′({x[k]})| = {gradient[k]} > 1/c");
                    Assert.True(Math.Sign(gradient[k]) == Math.Sign(x[k]) || gradient[k] == 0, $"α={alpha}: ρ′ has the wrong sign at {x[k]}");
                }
                // Monotone in |x| (ties where a bounded loss has saturated in float64).
                var byMagnitude = x.Select((v, k) => (Math.Abs(v), rho[k])).OrderBy(p => p.Item1).ToArray();
                for (int k = 1; k < byMagnitude.Length; k++)
                    Assert.True(byMagnitude[k].Item2 >= byMagnitude[k - 1].Item2, $"α={alpha}: not monotone at |x| = {byMagnitude[k].Item1}");
            }
        }

        [Fact]
        public void General_loss_at_one_and_two_is_pseudo_huber_and_l2()
        {
            var x = Grid(-30, 30, 0.77);
            foreach (var scale in new[] { 0.25, 1.0, 3.0 })
            {
                using var input = tensor(x, dtype: ScalarType.Float64);
                using var zero = zeros_like(input);
                var pseudoHuber = HostValues.Of(functional.pseudo_huber_loss(input, zero, scale, nn.Reduction.None));
                var one = General(x, 1.0, scale);
                var two = General(x, 2.0, scale);
                for (int k = 0; k < x.Length; k++)
                {
                    Assert.True(Math.Abs(one[k] - pseudoHuber[k] / (scale * scale)) <= 8 * 2.2e-16 * Math.Abs(one[k]), $"α=1 x={x[k]}"); // two formulas, a few ulps
                    Assert.Equal(0.5 * (x[k] / scale) * (x[k] / scale), two[k], 15);
                }
            }
        }

        [Theory]
        [InlineData(1.0, 1.0)]
        [InlineData(1.5, 0.3)]
        [InlineData(1.999, 2.0)]
        [InlineData(3.0, 1.0)]
        public void Adaptive_loss_is_a_normalised_likelihood(double alpha, double scale)
        {
            // exp(−NLL) is a density: its integral over x is 1 (the table's log Z, not the loss, makes it so).
            var loss = new AdaptiveRobustLoss(1, alpha_lo: alpha, alpha_hi: alpha, alpha_init: alpha, scale_lo: scale, scale_init: scale, reduction: nn.Reduction.None);
            double step = scale / 200;
            var x = Grid(-400 * scale, 400 * scale, step);
            using var input = tensor(x, dtype: ScalarType.Float64).reshape(-1, 1);
            using var zero = zeros_like(input);
            using var nll = loss.call(input, zero);
            double integral = HostValues.Of(nll).Sum(v => Math.Exp(-v)) * step;
            output.WriteLine($"α={alpha} c={scale}: ∫ exp(−NLL) dx = {integral:R}");
            Assert.True(Math.Abs(integral - 1) < (alpha < 1.5 ? 2e-3 : 1e-6), integral.ToString("R"));
        }

        [Fact]
        public void Adaptive_loss_learns_a_low_alpha_on_heavy_tails_and_the_data_scale()
        {
            // Column 0: Gaussian residuals, σ = 0.5 (the likelihood's optimum is α at its upper bound and c = σ).
            // Column 1: Cauchy residuals, γ = 0.5 (α near 0, where ρ is Cauchy's with scale c·√2, so c ≈ γ/√2).
            var random = new Random(7);
            int n = 2000;
            var data = new double[n * 2];
            for (int k = 0; k < n; k++)
            {
                double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
                data[2 * k] = 0.5 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                data[2 * k + 1] = 0.5 * Math.Tan(Math.PI * (random.NextDouble() - 0.5));
            }
            using var residuals = tensor(data, dtype: ScalarType.Float32).reshape(n, 2);
            using var zero = zeros_like(residuals);
            var loss = new AdaptiveRobustLoss(2);
            var parameters = loss.parameters().ToArray();
            Assert.Equal(2, parameters.Length);
            // Adam (β₁ = 0.9, β₂ = 0.999, learning rate 0.05), written out with explicit Scalars.
            var first = parameters.Select(p => zeros_like(p)).ToArray();
            var second = parameters.Select(p => zeros_like(p)).ToArray();
            using var decay1 = 0.9.ToScalar();
            using var decay2 = 0.999.ToScalar();
            using var keep1 = 0.1.ToScalar();
            using var keep2 = 0.001.ToScalar();
            using var epsilon = 1e-8.ToScalar();
            using var one = 1.0.ToScalar();
            for (int step = 1; step <= 400; step++)
            {
                using var scope = NewDisposeScope();
                var value = loss.call(residuals, zero);
                var gradients = autograd.grad(new[] { value }, parameters);
                using var size = (-0.05 * Math.Sqrt(1 - Math.Pow(0.999, step)) / (1 - Math.Pow(0.9, step))).ToScalar();
                using (no_grad())
                    for (int p = 0; p < parameters.Length; p++)
                    {
                        first[p].mul_(decay1).add_(gradients[p], keep1);
                        second[p].mul_(decay2).add_(gradients[p].mul(gradients[p]), keep2);
                        parameters[p].add_(first[p].div(second[p].sqrt().add(epsilon, one)), size);
                    }
            }
            using (no_grad())
            {
                var alpha = HostValues.Of(loss.alpha());
                var scale = HostValues.Of(loss.scale());
                output.WriteLine($"α = [{alpha[0]:F3}, {alpha[1]:F3}], scale = [{scale[0]:F3}, {scale[1]:F3}]");
                Assert.True(alpha[0] > 1.7, $"Gaussian column: α = {alpha[0]}");
                Assert.True(alpha[1] < 0.3, $"Cauchy column: α = {alpha[1]}");
                Assert.InRange(scale[0], 0.4, 0.55); // σ = 0.5, reached as α reaches 2; at α ≈ 1.85 the best scale is a little smaller
                Assert.InRange(scale[1], 0.5 / Math.Sqrt(2) * 0.8, 0.5 / Math.Sqrt(2) * 1.25);
            }
        }

        [Fact]
        public void Adaptive_loss_moved_to_float64_computes_with_its_new_parameters()
        {
            // Module.to replaces the registered parameters; the loss must then read the new ones (not the disposed originals).
            var loss = new AdaptiveRobustLoss(1, alpha_init: 0.7, scale_init: 1.5, reduction: nn.Reduction.Sum);
            loss.to(ScalarType.Float64);
            var parameters = loss.parameters().ToArray();
            Assert.Equal(2, parameters.Length);
            Assert.All(parameters, p => Assert.Equal(ScalarType.Float64, p.dtype));
            using var alpha = loss.alpha();
            using var scale = loss.scale();
            Assert.Equal(ScalarType.Float64, alpha.dtype);
            Assert.Equal(0.7, HostValues.Of(alpha)[0], 6);   // the latent α was created in float32
            Assert.Equal(1.5, HostValues.Of(scale)[0], 12);
            using var input = tensor(new[] { 0.3, -2.0, 5.0 }, dtype: ScalarType.Float64).reshape(3, 1);
            using var target = zeros_like(input);
            using var value = loss.call(input, target);
            var gradients = autograd.grad(new[] { value }, parameters);
            Assert.All(gradients, g => Assert.True(HostValues.Of(g)[0] != 0));
        }

        [Fact]
        public void Bad_arguments_name_the_argument()
        {
            using var x = ones(3);
            using var y = zeros(3);
            Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => functional.general_robust_loss(x, y, double.NaN, 1.0)).ParamName);
            Assert.Equal("scale", Assert.Throws<ArgumentOutOfRangeException>(() => functional.general_robust_loss(x, y, 1.0, 0.0)).ParamName);
            Assert.Equal("scale", Assert.Throws<ArgumentOutOfRangeException>(() => new GeneralRobustLoss(1.0, double.PositiveInfinity)).ParamName);
            using var badScale = tensor(new[] { 1f, 0f, 1f });
            using var alphas = ones(3);
            Assert.Equal("scale", Assert.Throws<ArgumentOutOfRangeException>(() => functional.general_robust_loss(x, y, alphas, badScale)).ParamName);
            using var wideAlpha = ones(4);
            Assert.Equal("alpha", Assert.Throws<ArgumentException>(() => functional.general_robust_loss(x, y, wideAlpha, alphas)).ParamName);
            Assert.Equal("delta", Assert.Throws<ArgumentOutOfRangeException>(() => functional.pseudo_huber_loss(x, y, 0.0)).ParamName);
            Assert.Equal("delta", Assert.Throws<ArgumentOutOfRangeException>(() => new PseudoHuberLoss(-1.0)).ParamName);
            Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new BalancedL1Loss(alpha: 0.0)).ParamName);
            Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(() => functional.balanced_l1_loss(x, y, beta: double.NaN)).ParamName);
            Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => functional.balanced_l1_loss(x, y, alpha: 0.001, gamma: 10)).ParamName);
            Assert.Equal("num_dims", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveRobustLoss(0)).ParamName);
            Assert.Equal("alpha_hi", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveRobustLoss(1, alpha_hi: 5)).ParamName);
            Assert.Equal("alpha_init", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveRobustLoss(1, alpha_init: 0.001)).ParamName);
            Assert.Equal("scale_init", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveRobustLoss(1, scale_lo: 1, scale_init: 0.5)).ParamName);
            var adaptive = new AdaptiveRobustLoss(2);
            Assert.Equal("input", Assert.Throws<ArgumentException>(() => adaptive.call(x, y)).ParamName);
        }

        [Fact]
        public void A_failing_closed_form_curvature_ends_in_a_managed_exception()
        {
            // The ρ″ node saves its residual; modified in place after forward, libtorch refuses to unpack it in backward.
            // The node must not throw there (the process would end): backward() fails with a managed exception instead.
            using var x = tensor(new[] { 0.5, 2.0 }, dtype: ScalarType.Float64).requires_grad_();
            using var one = 1.0.ToScalar();
            var residual = x.mul(one);
            var derivative = Engine.CurvatureFunction<PseudoHuber>.Of(PseudoHuber.Of(1.0), residual);
            residual.add_(one, one);
            string? warning = null;
            void Capture(string message) => warning = message;
            LossWarnings.Warning += Capture;
            try
            {
                Assert.ThrowsAny<Exception>(() => derivative.sum().backward());
            }
            finally
            {
                LossWarnings.Warning -= Capture;
            }
            Assert.NotNull(warning);
            Assert.Contains("modified by an inplace operation", warning);
        }

        [Fact]
        public void Log_cosh_is_accurate_for_tiny_and_huge_residuals()
        {
            using var input = tensor(new[] { 1e-8, 1e-200, 800.0, -1e300 }, dtype: ScalarType.Float64);
            using var zero = zeros_like(input);
            var value = HostValues.Of(functional.log_cosh_loss(input, zero, nn.Reduction.None));
            Assert.Equal(5e-17, value[0], 1e-30); // ½x² − x⁴/12: Keras' x + softplus(−2x) − log 2 gives 1.1e-16 here
            Assert.Equal(0.0, value[1]); // ½·(1e-200)² = 5e-401 is below float64's range
            Assert.Equal(800 - Math.Log(2), value[2], 12);
            Assert.Equal(1e300, value[3], 1e286);
        }
    }
}
