using System;
using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;

namespace TorchLosses.Tests
{
    /// <summary>
    /// The reference data of the robust losses (<see cref="RobustReferences"/>) agrees with itself and with closed forms
    /// computed here in double: the grid is complete, the named members of Barron's family are what they are, the
    /// derivatives fit the values, the limits at α = 0 and 2 are approached as they should be. No library code runs.
    /// </summary>
    public class RobustReferenceDataTests
    {
        private static readonly double[] XGrid = { 0, 1e-8, -1e-4, 0.1, -0.5, 1, -2, 3.7, -20, 1e3, -1e6 };
        private static readonly double[] Alphas =
        {
            double.NegativeInfinity, -1e3, -10, -2, -1, -0.5, -1e-3, -1e-9, 0, 1e-12, 1e-9, 1e-7, 1e-3, 0.25, 0.5, 1,
            1.5, 2 - 1e-3, 2 - 1e-7, 2 - 1e-12, 2, 2 + 1e-12, 2 + 1e-7, 2 + 1e-3, 3, 4, 10, double.PositiveInfinity,
        };
        private static readonly double[] Scales = { 0.1, 1, 2.5 };

        private static void Close(double expected, double actual, double relative, string what)
        {
            var tolerance = relative * Math.Abs(expected);
            Assert.True(Math.Abs(actual - expected) <= tolerance,
                $"{what}: expected {expected:R}, got {actual:R} (relative difference {Math.Abs(actual - expected) / Math.Abs(expected):G3})");
        }

        private static RobustReferences.General Row(double x, double alpha, double c) =>
            RobustReferences.GeneralPoints.Single(r => r.X == x && r.Alpha == alpha && r.Scale == c);

        [Fact]
        public void The_file_has_every_point_of_the_grid()
        {
            var data = RobustReferences.All;
            Assert.Equal(44, data.PseudoHuberPoints.Count);
            Assert.Equal(26, data.BalancedL1Points.Count);
            Assert.Equal(15, data.LogCoshPoints.Count);
            Assert.Equal(Alphas.Length * Scales.Length * XGrid.Length, data.GeneralPoints.Count + data.GeneralDropped.Count);
            Assert.Equal(917, data.GeneralPoints.Count);
            Assert.Equal(data.PseudoHuberPoints.Count, data.Counts["pseudo_huber"]);
            Assert.Equal(data.GeneralPoints.Count, data.Counts["general"]);
            Assert.Equal(data.GeneralDropped.Count, data.Counts["general_dropped"]);
            Assert.Equal(data.BalancedL1Points.Count, data.Counts["balanced_l1"]);
            Assert.Equal(data.LogCoshPoints.Count, data.Counts["log_cosh"]);

            var present = data.GeneralPoints.Select(r => (r.X, r.Alpha, r.Scale)).Concat(data.GeneralDropped).ToList();
            Assert.Equal(present.Count, present.Distinct().Count());
            foreach (var alpha in Alphas)
                foreach (var c in Scales)
                    foreach (var x in XGrid)
                        Assert.Contains((x, alpha, c), present);
            foreach (var delta in new[] { 1e-3, 0.5, 1, 7.5 })
                foreach (var x in XGrid)
                    Assert.Single(data.PseudoHuberPoints, r => r.X == x && r.Delta == delta);
        }

        [Fact]
        public void Only_points_beyond_the_double_range_are_left_out()
        {
            // exp(z/2) overflows past z/2 = ln(double.MaxValue) ≈ 709.78: α = +∞ is the only α that gets there.
            double limit = Math.Log(double.MaxValue);
            foreach (var (x, alpha, c) in RobustReferences.All.GeneralDropped)
            {
                Assert.Equal(double.PositiveInfinity, alpha);
                Assert.True(0.5 * (x / c) * (x / c) > limit, $"x = {x}, c = {c} was left out but fits");
            }
            foreach (var r in RobustReferences.GeneralPoints.Where(r => r.Alpha == double.PositiveInfinity))
                Assert.True(double.IsFinite(r.Value) && double.IsFinite(r.DX) && double.IsFinite(r.DXX), $"x = {r.X}, c = {r.Scale}");
        }

        [Fact]
        public void General_at_alpha_1_is_pseudo_Huber_and_its_delta_derivative_follows()
        {
            // ρ_general(x, 1, 1) = ρ_PH(x, 1); and since ρ_PH(x, δ) = δ² ρ_general(x, 1, δ),
            // ∂ρ_PH/∂δ at δ = 1 is 2 ρ_general + ∂ρ_general/∂c.
            int compared = 0;
            foreach (var ph in RobustReferences.PseudoHuberPoints.Where(p => p.Delta == 1))
            {
                var g = Row(ph.X, 1, 1);
                Assert.Equal(ph.Value, g.Value);
                Assert.Equal(ph.DX, g.DX);
                Assert.Equal(ph.DXX, g.DXX);
                // 2ρ + ∂ρ/∂c cancels for small x (ρ ≈ x²/2, ∂ρ/∂c ≈ −x²): the bound is relative to the terms.
                double sum = 2 * g.Value + g.DScale, terms = Math.Abs(2 * g.Value) + Math.Abs(g.DScale);
                Assert.True(Math.Abs(ph.DDelta - sum) <= 1e-15 * terms,
                    $"d_delta at x = {ph.X}: data {ph.DDelta:R}, 2 rho + d_c of general = {sum:R}");
                compared++;
            }
            Assert.Equal(XGrid.Length, compared);
        }

        [Fact]
        public void Pseudo_Huber_matches_its_closed_forms_in_double()
        {
            foreach (var p in RobustReferences.PseudoHuberPoints)
            {
                double t = p.X / p.Delta, w = Math.Sqrt(1 + t * t);
                Close(p.X / w, p.DX, 1e-14, $"d_x at x = {p.X}, delta = {p.Delta}");
                Close(1 / (w * w * w), p.DXX, 1e-14, $"d_xx at x = {p.X}, delta = {p.Delta}");
                if (Math.Abs(t) <= 1e-4)
                    Close(0.5 * p.X * p.X, p.Value, 1e-8, $"quadratic near 0 at x = {p.X}, delta = {p.Delta}");
                if (Math.Abs(t) >= 1e6)
                    Close(p.Delta * Math.Abs(p.X) - p.Delta * p.Delta, p.Value, 1e-12, $"linear asymptote at x = {p.X}, delta = {p.Delta}");
            }
        }

        [Fact]
        public void General_at_alpha_2_is_half_the_square_and_has_no_alpha_derivative_off_zero()
        {
            foreach (var r in RobustReferences.GeneralPoints.Where(r => r.Alpha == 2))
            {
                double c = r.Scale, x = r.X;
                Close(0.5 * (x / c) * (x / c), r.Value, 1e-15, $"value at x = {x}, c = {c}");
                Close(x / (c * c), r.DX, 1e-15, $"d_x at x = {x}, c = {c}");
                Close(1 / (c * c), r.DXX, 1e-15, $"d_xx at x = {x}, c = {c}");
                Close(-x * x / (c * c * c), r.DScale, 1e-15, $"d_c at x = {x}, c = {c}");
                Close(-2 * x / (c * c * c), r.DXScale, 1e-15, $"d_x_c at x = {x}, c = {c}");
                Assert.Equal(x == 0, r.DAlpha.HasValue);
                Assert.Equal(x == 0, r.DXAlpha.HasValue);
                Assert.Equal(x != 0, r.Note is not null);
            }
        }

        public static IEnumerable<object[]> NamedMembers() => new[]
        {
            new object[] { double.NegativeInfinity, "Welsch 1 - exp(-z/2)" },
            new object[] { -2.0, "Geman-McClure 2z/(z + 4)" },
            new object[] { 0.0, "Cauchy ln(1 + z/2)" },
            new object[] { 1.0, "Charbonnier sqrt(1 + z) - 1" },
            new object[] { 4.0, "z^2/8 + z/2" },
            new object[] { double.PositiveInfinity, "exp(z/2) - 1" },
        };

        [Theory]
        [MemberData(nameof(NamedMembers))]
        public void General_at_named_alphas_is_the_named_loss(double alpha, string name)
        {
            Func<double, double> closedForm = alpha switch
            {
                double.NegativeInfinity => z => 1 - Math.Exp(-0.5 * z),
                -2.0 => z => 2 * z / (z + 4),
                0.0 => z => Math.Log(1 + 0.5 * z),
                1.0 => z => Math.Sqrt(1 + z) - 1,
                4.0 => z => z * z / 8 + z / 2,
                _ => z => Math.Exp(0.5 * z) - 1,
            };
            int compared = 0;
            foreach (var r in RobustReferences.GeneralPoints.Where(r => r.Alpha.Equals(alpha)))
            {
                double z = (r.X / r.Scale) * (r.X / r.Scale);
                // The closed forms in double cancel for small z (1 - exp, ln(1 + ·), sqrt - 1): compare where they don't.
                if (z < 0.02)
                    continue;
                // exp(±z/2) carries the rounding of z, amplified z/2 times.
                double tolerance = double.IsInfinity(alpha) ? 1e-13 + 1e-15 * z : 1e-13;
                Close(closedForm(z), r.Value, tolerance, $"{name} at x = {r.X}, c = {r.Scale}");
                compared++;
            }
            Assert.True(compared >= 10, $"{name}: only {compared} points compared");
        }

        [Fact]
        public void General_scale_derivatives_follow_from_the_x_derivatives()
        {
            // ρ depends on x/c only: ∂ρ/∂c = −(x/c) ∂ρ/∂x and ∂²ρ/∂x∂c = −(∂ρ/∂x + x ∂²ρ/∂x²)/c.
            foreach (var r in RobustReferences.GeneralPoints.Where(r => Math.Abs(r.DX) > 1e-280))
            {
                Close(-(r.X / r.Scale) * r.DX, r.DScale, 1e-14, $"d_c at x = {r.X}, alpha = {r.Alpha}, c = {r.Scale}");
                double size = (Math.Abs(r.DX) + Math.Abs(r.X * r.DXX)) / r.Scale;
                Assert.True(Math.Abs(-(r.DX + r.X * r.DXX) / r.Scale - r.DXScale) <= 1e-14 * size,
                    $"d_x_c at x = {r.X}, alpha = {r.Alpha}, c = {r.Scale}");
            }
        }

        [Fact]
        public void General_has_Barrons_bounds_and_signs()
        {
            foreach (var r in RobustReferences.GeneralPoints)
            {
                var at = $"x = {r.X}, alpha = {r.Alpha}, c = {r.Scale}";
                if (r.Alpha < 0 && double.IsFinite(r.Alpha))
                    Assert.True(r.Value <= (r.Alpha - 2) / r.Alpha * (1 + 1e-15), $"bounded by (alpha-2)/alpha at {at}");
                if (r.Alpha <= 1)
                    Assert.True(Math.Abs(r.DX) <= (1 + 1e-15) / r.Scale, $"|d_x| <= 1/c at {at}");
                Assert.True(r.DScale <= 0, $"d_c <= 0 at {at}");
                Assert.True(Math.Sign(r.DX) == Math.Sign(r.X) || r.DX == 0, $"sign of d_x at {at}");
                if (r.DAlpha is double dAlpha)
                    Assert.True(dAlpha >= 0, $"d_alpha >= 0 at {at}");
            }
        }

        [Fact]
        public void General_is_smooth_in_alpha_across_0()
        {
            foreach (var zero in RobustReferences.GeneralPoints.Where(r => r.Alpha == 0 && r.X != 0))
            {
                var at = $"x = {zero.X}, c = {zero.Scale}";
                var dAlpha = zero.DAlpha!.Value;
                foreach (var alpha in new[] { -1e-9, 1e-12, 1e-9 })
                {
                    var near = Row(zero.X, alpha, zero.Scale);
                    // first-order Taylor step from α = 0 (the second-order term is ~α² and far below these tolerances)
                    Close(zero.Value + alpha * dAlpha, near.Value, 1e-15, $"value at alpha = {alpha}, {at}");
                    Close(dAlpha, near.DAlpha!.Value, 1e-6, $"d_alpha at alpha = {alpha}, {at}");
                    Close(zero.DXAlpha!.Value, near.DXAlpha!.Value, 1e-6, $"d_x_alpha at alpha = {alpha}, {at}");
                }
            }
        }

        [Fact]
        public void The_alpha_derivative_grows_without_bound_towards_alpha_2()
        {
            // ∂ρ/∂α ≈ (z/4)(ln(z/|α−2| + 1) − 2) near α = 2 from either side: log-divergent, hence null at α = 2.
            foreach (var side in new[] { -1.0, 1.0 })
                foreach (var r in RobustReferences.GeneralPoints.Where(r => r.Alpha == 2 && r.X != 0 && Math.Abs(r.X / r.Scale) < 1e3))
                {
                    var at = $"x = {r.X}, c = {r.Scale}, side {side}";
                    double z = (r.X / r.Scale) * (r.X / r.Scale);
                    var d = new[] { 1e-3, 1e-7, 1e-12 }.Select(e => Row(r.X, 2 + side * e, r.Scale)).ToArray();
                    Assert.True(d[0].DAlpha < d[1].DAlpha && d[1].DAlpha < d[2].DAlpha, $"growing at {at}");
                    double eps = Math.Abs(d[2].Alpha - 2); // exact (Sterbenz)
                    if (z >= 1e-2) // the asymptote needs z ≫ |α − 2|
                        Close(z / 4 * (Math.Log(z / eps + 1) - 2), d[2].DAlpha!.Value, 1e-8, $"asymptote at {at}");
                    Close(r.Value, d[2].Value, 1e-9, $"value continuous at {at}");
                }
            var table = RobustReferences.All.GeneralNearTwo;
            Assert.Equal(12, table.Count);
            foreach (var side in new[] { -1.0, 1.0 })
            {
                var rows = table.Where(t => Math.Sign(t.AlphaMinus2) == side).OrderByDescending(t => Math.Abs(t.AlphaMinus2)).ToArray();
                for (int i = 1; i < rows.Length; i++)
                {
                    Assert.True(rows[i].DAlpha > rows[i - 1].DAlpha + 1, "d_alpha grows by ln of the step");
                    Assert.True(Math.Abs(rows[i].DAlpha - rows[i].Asymptote) <= Math.Abs(rows[i - 1].DAlpha - rows[i - 1].Asymptote),
                        "and approaches the asymptote");
                }
            }
        }

        [Fact]
        public void Balanced_L1_is_mmdetections_formula_outside_beta_and_null_at_its_kinks()
        {
            foreach (var r in RobustReferences.BalancedL1Points)
            {
                var at = $"x = {r.X}, alpha = {r.Alpha}, gamma = {r.Gamma}, beta = {r.Beta}";
                double b = Math.Exp(r.Gamma / r.Alpha) - 1, d = Math.Abs(r.X);
                if (d >= r.Beta)
                {
                    Close(r.Gamma * d + r.Gamma / b - r.Alpha * r.Beta, r.Value, 1e-14, $"outer value at {at}");
                    if (d > r.Beta)
                    {
                        Assert.Equal((double?)(Math.Sign(r.X) * r.Gamma), r.DX);
                        Assert.Equal((double?)0.0, r.DXX);
                    }
                }
                bool kink = d == r.Beta || (d == 0 && r.Beta != 1);
                Assert.Equal(kink, r.Note is not null);
                Assert.Equal(kink, r.DXX is null);
                Assert.Equal(kink && r.Beta != 1, r.DX is null);
                if (d == 0 && r.Beta == 1)
                {
                    Assert.Equal((double?)0.0, r.DX);
                    Close(r.Alpha * b, r.DXX!.Value, 1e-14, $"curvature at 0, {at}");
                }
            }
        }

        [Fact]
        public void Log_cosh_is_abs_minus_ln2_far_out_and_its_derivatives_fit()
        {
            foreach (var r in RobustReferences.LogCoshPoints)
            {
                if (Math.Abs(r.X) >= 50)
                {
                    Close(Math.Abs(r.X) - Math.Log(2), r.Value, 1e-15, $"value at x = {r.X}");
                    Assert.Equal((double)Math.Sign(r.X), r.DX);
                    Assert.True(r.DXX >= 0 && r.DXX < 1e-40, $"d_xx at x = {r.X}");
                }
                else
                {
                    Close(Math.Tanh(r.X), r.DX, 1e-15, $"d_x at x = {r.X}");
                    if (Math.Abs(r.X) <= 2) // 1 − tanh² cancels beyond
                        Close(1 - r.DX * r.DX, r.DXX, 1e-13, $"d_xx = 1 - tanh^2 at x = {r.X}");
                }
            }
            Assert.Contains(RobustReferences.LogCoshPoints, r => r.X == 800);
            Assert.Contains(RobustReferences.LogCoshPoints, r => r.X == -800);
        }
    }
}
