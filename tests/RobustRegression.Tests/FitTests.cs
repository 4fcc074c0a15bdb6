using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit.Abstractions;

namespace RobustRegression.Tests
{
    public class FitTests(ITestOutputHelper output)
    {
        private static readonly Lazy<RegressionFit[]> AllFits = new(() => Program.FitAll().ToArray());

        private static RegressionFit Fit(string method) => AllFits.Value.Single(f => f.Method == method);

        private static double[] Parameters(RegressionFit fit) => new[] { fit.Intercept }.Concat(fit.Coefficients).ToArray();

        [Fact]
        public void Least_squares_equals_the_normal_equations_solution()
        {
            var ols = Fit("ols");
            double[] expected = Reference.WeightedLeastSquares(Enumerable.Repeat(1.0, StackLoss.Count).ToArray());
            double[] actual = Parameters(ols);
            for (int j = 0; j < 4; j++)
                Assert.True(Math.Abs(actual[j] - expected[j]) <= 1e-9 * Math.Max(1, Math.Abs(expected[j])), $"β{j}: {actual[j]} against {expected[j]}");
            double[] r = Reference.Residuals(expected);
            double rse = Math.Sqrt(r.Sum(v => v * v) / (StackLoss.Count - 4));
            Assert.True(Math.Abs(ols.Scale - rse) <= 1e-9, $"scale {ols.Scale} against {rse}");
            Assert.All(ols.Weights, w => Assert.Equal(1.0, w));
        }

        [Fact]
        public void Least_squares_gives_the_published_coefficients()
        {
            // R: summary(lm(stack.loss ~ ., stackloss)): (Intercept) -39.9197, Air.Flow 0.7156, Water.Temp 1.2953,
            // Acid.Conc. -0.1521; residual standard error 3.243 on 17 degrees of freedom. Also a check of the data: one
            // wrong number changes these.
            var ols = Fit("ols");
            Assert.Equal(-39.9197, ols.Intercept, 4);
            Assert.Equal(0.7156, ols.Coefficients[0], 4);
            Assert.Equal(1.2953, ols.Coefficients[1], 4);
            Assert.Equal(-0.1521, ols.Coefficients[2], 4);
            Assert.Equal(3.243, ols.Scale, 3);
        }

        [Fact]
        public void Huber_equals_iteratively_reweighted_least_squares()
        {
            var huber = Fit("huber");
            var (coefficients, scale, _) = Reference.HuberIrls();
            double[] actual = Parameters(huber);
            double largest = 0;
            for (int j = 0; j < 4; j++)
            {
                largest = Math.Max(largest, Math.Abs(actual[j] - coefficients[j]));
                Assert.True(Math.Abs(actual[j] - coefficients[j]) <= 1e-8, $"β{j}: {actual[j]} against IRLS {coefficients[j]}");
            }
            Assert.True(Math.Abs(huber.Scale - scale) <= 1e-8, $"scale {huber.Scale} against IRLS {scale}");
            output.WriteLine($"max |Newton − IRLS| over the 4 coefficients {largest:E2}, scale {Math.Abs(huber.Scale - scale):E2}");
            // The weights the sample reports are IRLS's weights at the solution.
            double[] r = Reference.Residuals(coefficients);
            for (int i = 0; i < r.Length; i++)
            {
                double u = Math.Abs(r[i] / scale);
                double w = u <= Reference.T ? 1 : Reference.T / u;
                Assert.True(Math.Abs(huber.Weights[i] - w) <= 1e-8, $"weight {i + 1}: {huber.Weights[i]} against {w}");
            }
        }

        [Fact]
        public void Huber_is_close_to_MASS_rlm()
        {
            // MASS::rlm(stack.loss ~ ., stackloss) with its defaults (psi.huber, k = 1.345, scale.est = "MAD": σ =
            // median|r|/0.6745 re-estimated before every IRLS step), as statsmodels' test results record R's output
            // (statsmodels/robust/tests/results/results_rlm.py, class Huber). The rule is ours; rlm stops once the residuals
            // change by less than acc = 1e-4 (relative 2-norm) and reports the scale of the step before, so it agrees to
            // about 1e-4, not to round-off.
            var huber = Fit("huber");
            Assert.InRange(huber.Intercept, -41.02653105 - 1e-3, -41.02653105 + 1e-3);
            Assert.InRange(huber.Coefficients[0], 0.82937387 - 1e-4, 0.82937387 + 1e-4);
            Assert.InRange(huber.Coefficients[1], 0.92610818 - 1e-4, 0.92610818 + 1e-4);
            Assert.InRange(huber.Coefficients[2], -0.12784916 - 1e-4, -0.12784916 + 1e-4);
            Assert.InRange(huber.Scale, 2.44071379 - 1e-3, 2.44071379 + 1e-3);
            // rlm's weights below 1: observations 3, 4 and 21.
            double[] rlmWeights = [0.7858871, 0.50494094, 0.36814106];
            int[] observations = [3, 4, 21];
            for (int k = 0; k < 3; k++)
                Assert.InRange(huber.Weights[observations[k] - 1], rlmWeights[k] - 1e-3, rlmWeights[k] + 1e-3);
            Assert.Equal(18, huber.Weights.Count(w => w == 1.0));
        }

        [Fact]
        public void Every_fit_converged()
        {
            foreach (var fit in AllFits.Value)
                Assert.True(fit.MaxAbsGradient <= 1e-10, $"{fit.Method}: max |gradient| {fit.MaxAbsGradient}");
        }

        [Fact]
        public void The_run_writes_results_json_of_the_documented_shape_and_a_png()
        {
            string directory = Path.Combine(Path.GetTempPath(), "robust-regression-test-" + Guid.NewGuid().ToString("N"));
            try
            {
                Assert.Equal(0, Program.Main(["--out", directory]));
                using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "results.json")));
                var root = document.RootElement;
                Assert.Equal("stackloss", root.GetProperty("dataset").GetString());
                var fits = root.GetProperty("fits").EnumerateArray().ToArray();
                Assert.Equal(AllFits.Value.Select(f => f.Method), fits.Select(f => f.GetProperty("method").GetString()));
                Assert.Contains("ols", fits.Select(f => f.GetProperty("method").GetString()));
                Assert.Contains("huber", fits.Select(f => f.GetProperty("method").GetString()));
                foreach (var (element, fit) in fits.Zip(AllFits.Value))
                {
                    Assert.Equal(fit.Intercept, element.GetProperty("intercept").GetDouble());
                    var coefficients = element.GetProperty("coefficients").EnumerateArray().Select(c => c.GetDouble()).ToArray();
                    Assert.Equal(fit.Coefficients, coefficients);
                    Assert.Equal(3, coefficients.Length);
                    Assert.Equal(fit.Scale, element.GetProperty("scale").GetDouble());
                    Assert.Equal(fit.Alpha is not null, element.TryGetProperty("alpha", out _));
                }
                byte[] png = File.ReadAllBytes(Path.Combine(directory, "fits.png"));
                Assert.True(png.Length > 1000);
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.Take(4).ToArray());
            }
            finally
            {
                if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            }
        }

        [Fact]
        public void A_bad_option_is_a_usage_error()
        {
            Assert.Equal(2, Program.Main(["--no-such-option"]));
        }
    }
}
