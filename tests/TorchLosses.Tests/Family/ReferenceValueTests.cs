using System;
using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Family
{
    /// <summary>
    /// Values and first and second derivatives of pseudo-Huber, Barron's general loss, Balanced L1 and log-cosh in float64,
    /// against the 160-digit references of tools/reference-values (Data/robust-references.json), computed there from the plain
    /// definitions. Each quantity's error is measured relative to the reference (absolute below 1e-300) and bounded per loss;
    /// the bounds are a few ulps where the formula is well conditioned, and are stated with the reason where they are not.
    /// </summary>
    public class ReferenceValueTests(ITestOutputHelper output)
    {
        private const double Eps = 2.220446049250313e-16;

        private sealed class Errors
        {
            private readonly Dictionary<string, (double Error, string Where)> worst = new();

            public void Add(string quantity, double ours, double reference, string where, double condition = 1)
            {
                double error;
                if (double.IsNaN(ours) || double.IsNaN(reference))
                    error = double.IsNaN(ours) && double.IsNaN(reference) ? 0 : double.PositiveInfinity;
                else if (double.IsInfinity(reference) || double.IsInfinity(ours))
                    error = ours == reference ? 0 : double.PositiveInfinity;
                else
                    error = Math.Abs(ours - reference) / Math.Max(Math.Abs(reference), 1e-300) / condition;
                if (!worst.TryGetValue(quantity, out var current) || error > current.Error)
                    worst[quantity] = (error, where);
            }

            public double this[string quantity] => worst[quantity].Error;

            public string Report() => string.Join("\n", worst.Select(kv => $"{kv.Key}: {kv.Value.Error:G3} (at {kv.Value.Where})"));
        }

        /// <summary>ρ, ρ′ and ρ″ of every element of <paramref name="x"/> (float64), through autograd with create_graph.</summary>
        private static (double[] Value, double[] First, double[] Second) Derivatives(double[] x, Func<Tensor, Tensor> loss)
        {
            using var scope = NewDisposeScope();
            var input = tensor(x, dtype: ScalarType.Float64).requires_grad_();
            var value = loss(input);
            var first = autograd.grad(new[] { value.sum() }, new[] { input }, create_graph: true, retain_graph: true)[0];
            var second = first.requires_grad
                ? autograd.grad(new[] { first.sum() }, new[] { input }, retain_graph: true)[0]
                : zeros_like(first);
            return (HostValues.Of(value), HostValues.Of(first), HostValues.Of(second));
        }

        [Fact]
        public void Pseudo_huber_matches_the_references()
        {
            var errors = new Errors();
            foreach (var group in RobustReferences.PseudoHuberPoints.GroupBy(p => p.Delta))
            {
                var points = group.ToArray();
                var x = points.Select(p => p.X).ToArray();
                using var zero = zeros(x.Length, dtype: ScalarType.Float64);
                foreach (var form in new[] { "vector", "composed" })
                {
                    var (value, first, second) = Derivatives(x, i => form == "vector"
                        ? functional.pseudo_huber_loss(i, zero, group.Key, nn.Reduction.None)
                        : functional.pseudo_huber_loss(i, zero, full(x.Length, group.Key, dtype: ScalarType.Float64), nn.Reduction.None));
                    for (int k = 0; k < points.Length; k++)
                    {
                        var where = $"{form} x={points[k].X} δ={points[k].Delta}";
                        errors.Add($"{form} ρ", value[k], points[k].Value, where);
                        errors.Add($"{form} ρ′", first[k], points[k].DX, where);
                        errors.Add($"{form} ρ″", second[k], points[k].DXX, where);
                    }
                }
            }
            output.WriteLine(errors.Report());
            foreach (var form in new[] { "vector", "composed" })
            {
                Assert.True(errors[$"{form} ρ"] <= 3 * Eps, errors.Report());
                Assert.True(errors[$"{form} ρ′"] <= 3 * Eps, errors.Report());
                Assert.True(errors[$"{form} ρ″"] <= 6 * Eps, errors.Report());
            }
        }

        [Fact]
        public void Log_cosh_matches_the_references()
        {
            var errors = new Errors();
            var points = RobustReferences.LogCoshPoints.ToArray();
            var x = points.Select(p => p.X).ToArray();
            using var zero = zeros(x.Length, dtype: ScalarType.Float64);
            var (value, first, second) = Derivatives(x, i => functional.log_cosh_loss(i, zero, nn.Reduction.None));
            for (int k = 0; k < points.Length; k++)
            {
                errors.Add("ρ", value[k], points[k].Value, $"x={points[k].X}");
                errors.Add("ρ′", first[k], points[k].DX, $"x={points[k].X}");
                if (Math.Abs(points[k].DXX) > 1e-300)
                    errors.Add("ρ″", second[k], points[k].DXX, $"x={points[k].X}");
            }
            output.WriteLine(errors.Report());
            Assert.True(errors["ρ"] <= 4 * Eps, errors.Report());
            Assert.True(errors["ρ′"] <= 2 * Eps, errors.Report());
            Assert.True(errors["ρ″"] <= 8 * Eps, errors.Report());
        }

        [Fact]
        public void Balanced_l1_matches_the_references()
        {
            var errors = new Errors();
            foreach (var group in RobustReferences.BalancedL1Points.GroupBy(p => (p.Alpha, p.Gamma, p.Beta)))
            {
                var points = group.ToArray();
                var x = points.Select(p => p.X).ToArray();
                using var zero = zeros(x.Length, dtype: ScalarType.Float64);
                var (alpha, gamma, beta) = group.Key;
                var (value, first, second) = Derivatives(x, i => functional.balanced_l1_loss(i, zero, alpha, gamma, beta, nn.Reduction.None));
                for (int k = 0; k < points.Length; k++)
                {
                    var where = $"x={points[k].X} α={alpha} γ={gamma} β={beta}";
                    errors.Add("ρ", value[k], points[k].Value, where);
                    if (points[k].DX is { } dx)
                        errors.Add("ρ′", first[k], dx, where);
                    if (points[k].DXX is { } dxx)
                        errors.Add("ρ″", second[k], dxx, where);
                }
            }
            output.WriteLine(errors.Report());
            // b = e^(γ/α) − 1 is rounded once to a double (as mmdetection does); ρ inherits that relative error, a few ulps.
            Assert.True(errors["ρ"] <= 16 * Eps, errors.Report());
            Assert.True(errors["ρ′"] <= 16 * Eps, errors.Report());
            Assert.True(errors["ρ″"] <= 16 * Eps, errors.Report());
        }

        public static IEnumerable<object[]> GeneralForms() => new[] { new object[] { "numbers" }, new object[] { "tensors" }, new object[] { "tensor per α" } };

        /// <summary>
        /// Barron's loss at 917 points (α from −∞ to +∞ including 0 ± 1e-9, 2 ± 1e-12 and the special values; three scales),
        /// with α and c given as numbers (one call per (α, c), the host picks the formula) and as per-element tensors that
        /// require a gradient (one call for all points, the formulas selected per element), which also gives ∂ρ/∂α and ∂ρ/∂c.
        /// </summary>
        [Theory]
        [MemberData(nameof(GeneralForms))]
        public void General_loss_matches_the_references(string form)
        {
            var errors = new Errors();
            var points = RobustReferences.GeneralPoints.ToArray();
            if (form == "numbers")
            {
                foreach (var group in points.GroupBy(p => (p.Alpha, p.Scale)))
                {
                    var rows = group.ToArray();
                    var x = rows.Select(p => p.X).ToArray();
                    using var zero = zeros(x.Length, dtype: ScalarType.Float64);
                    var (value, first, second) = Derivatives(x, i => functional.general_robust_loss(i, zero, group.Key.Alpha, group.Key.Scale, nn.Reduction.None));
                    for (int k = 0; k < rows.Length; k++)
                        Compare(errors, rows[k], value[k], first[k], second[k], null, null);
                }
            }
            else if (form == "tensor per α")
            {
                // One call per (α, c) with [1]-shaped learnable α and c: on the CPU only the branches of the α present run.
                foreach (var group in points.GroupBy(p => (p.Alpha, p.Scale)))
                {
                    using var scope = NewDisposeScope();
                    var rows = group.ToArray();
                    var input = tensor(rows.Select(p => p.X).ToArray(), dtype: ScalarType.Float64).requires_grad_();
                    var alpha = tensor(new[] { group.Key.Alpha }, dtype: ScalarType.Float64).requires_grad_();
                    var scale = tensor(new[] { group.Key.Scale }, dtype: ScalarType.Float64).requires_grad_();
                    var zero = zeros(rows.Length, dtype: ScalarType.Float64);
                    var loss = functional.general_robust_loss(input, zero, alpha, scale, nn.Reduction.None);
                    var gradients = autograd.grad(new[] { loss.sum() }, new[] { input }, create_graph: true, retain_graph: true);
                    var second = autograd.grad(new[] { gradients[0].sum() }, new[] { input }, retain_graph: true)[0];
                    var (value, first, curvature) = (HostValues.Of(loss), HostValues.Of(gradients[0]), HostValues.Of(second));
                    // ∂ρ/∂α and ∂ρ/∂c per element: the same α and c, expanded to one learnable entry per element.
                    var perElementAlpha = alpha.expand(rows.Length).clone().detach().requires_grad_();
                    var perElementScale = scale.expand(rows.Length).clone().detach().requires_grad_();
                    var again = functional.general_robust_loss(input.detach(), zero, perElementAlpha, perElementScale, nn.Reduction.None);
                    var parameterGradients = autograd.grad(new[] { again.sum() }, new[] { perElementAlpha, perElementScale });
                    var (dAlpha, dScale) = (HostValues.Of(parameterGradients[0]), HostValues.Of(parameterGradients[1]));
                    for (int k = 0; k < rows.Length; k++)
                        Compare(errors, rows[k], value[k], first[k], curvature[k], dAlpha[k], dScale[k]);
                }
            }
            else
            {
                using var scope = NewDisposeScope();
                var input = tensor(points.Select(p => p.X).ToArray(), dtype: ScalarType.Float64).requires_grad_();
                var alpha = tensor(points.Select(p => p.Alpha).ToArray(), dtype: ScalarType.Float64).requires_grad_();
                var scale = tensor(points.Select(p => p.Scale).ToArray(), dtype: ScalarType.Float64).requires_grad_();
                using var zero = zeros(points.Length, dtype: ScalarType.Float64);
                var loss = functional.general_robust_loss(input, zero, alpha, scale, nn.Reduction.None);
                var grads = autograd.grad(new[] { loss.sum() }, new[] { input, alpha, scale }, create_graph: true, retain_graph: true);
                var second = autograd.grad(new[] { grads[0].sum() }, new[] { input }, retain_graph: true)[0];
                var (value, first, curvature, dAlpha, dScale) = (HostValues.Of(loss), HostValues.Of(grads[0]), HostValues.Of(second),
                    HostValues.Of(grads[1]), HostValues.Of(grads[2]));
                for (int k = 0; k < points.Length; k++)
                    Compare(errors, points[k], value[k], first[k], curvature[k], dAlpha[k], dScale[k]);
            }
            output.WriteLine(errors.Report());
            // Errors are divided by 1 + z, z = (x/c)²: rounding x/c by half an ulp moves exp(±z/2) (α = ±∞, large |α|) by about
            // z/2 ulps, however it is computed afterwards. Near α = 2, expm1(t) with t = (α/2)·log1p(z/b) ≈ 23 at b = 1e-12 carries
            // t's rounding: 10 ulps at most over these points.
            Assert.True(errors["ρ"] <= 16 * Eps, errors.Report());
            Assert.True(errors["ρ′"] <= 8 * Eps, errors.Report());
            if (form == "numbers")
                Assert.True(errors["ρ″"] <= 16 * Eps, errors.Report());
            else if (form == "tensor per α")
            {
                Assert.True(errors["ρ″ (|x/c| ≤ 100)"] <= 1e-11, errors.Report());
                Assert.True(errors["∂ρ/∂c"] <= 8 * Eps, errors.Report());
                Assert.True(errors["∂ρ/∂α"] <= 1e-12, errors.Report());
                Assert.Equal(0, errors["∂ρ/∂α at α = 2"]);
            }
            else
            {
                // With learnable α and c, ρ″ is autograd's derivative of the composed ρ′ (so that the mixed derivatives in α and
                // c come out of the same graph), which cancels for large |x/c|: bounded here for |x/c| ≤ 100.
                Assert.True(errors["ρ″ (|x/c| ≤ 100)"] <= 1e-11, errors.Report());
                Assert.True(errors["∂ρ/∂c"] <= 8 * Eps, errors.Report());
                Assert.True(errors["∂ρ/∂α"] <= 1e-12, errors.Report());
                Assert.Equal(0, errors["∂ρ/∂α at α = 2"]);
            }
        }

        private static void Compare(Errors errors, RobustReferences.General row, double value, double first, double second, double? dAlpha, double? dScale)
        {
            var where = $"x={row.X} α={row.Alpha} c={row.Scale}";
            double u = row.X / row.Scale, condition = 1 + u * u;
            errors.Add("ρ", value, row.Value, where, condition);
            errors.Add("ρ′", first, row.DX, where, condition);
            if (dScale is null)
                errors.Add("ρ″", second, row.DXX, where, condition);
            else if (Math.Abs(u) <= 100)
                errors.Add("ρ″ (|x/c| ≤ 100)", second, row.DXX, where, condition);
            if (dScale is { } ds)
                errors.Add("∂ρ/∂c", ds, row.DScale, where, condition);
            if (dAlpha is { } da)
            {
                if (row.DAlpha is { } reference)
                    errors.Add("∂ρ/∂α", da, reference, where);
                else if (row.Alpha == 2)
                    errors.Add("∂ρ/∂α at α = 2", da, row.X == 0 ? 0 : double.PositiveInfinity, where);
            }
        }
    }
}
