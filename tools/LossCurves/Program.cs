using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace LossCurves
{
    /// <summary>
    /// Draws docs/images/loss-curves.png and docs/images/gradient-curves.png over x ∈ [−3, 3]:
    /// MSE (½x²), L1, Smooth L1 (β = 0.5, 1, 2) and Huber (δ = 0.5, 1, 2); and docs/images/family-curves.png over
    /// x ∈ [−4, 4]: Huber δ = 1, pseudo-Huber δ = 1, Barron's general loss (c = 1, α = 2, 1, 0, −2, −∞), log-cosh and
    /// Balanced L1 (α = 0.5, γ = 1.5, β = 1), loss and gradient side by side. Every curve is computed by TorchLosses with
    /// reduction None and differentiated by autograd. Every sample is also checked against the textbook formula; a
    /// mismatch fails the run (exit code 1), so the pictures double as a test.
    /// Usage: dotnet run --project tools/LossCurves -c Release -- --out docs/images
    /// </summary>
    public static class Program
    {
        /// <summary>
        /// A sample matches its formula when |computed − formula| ≤ Tolerance·max(1, |formula|): absolute up to 1, relative
        /// above (the family's losses reach 8 and its gradients 4, where one rounding of the value is already ~1e-15).
        /// </summary>
        private const double Tolerance = 1e-12;

        public static int Main(string[] args)
        {
            var outDirectory = OutDirectory(args);
            if (outDirectory is null)
            {
                Console.Error.WriteLine("usage: LossCurves --out <folder>");
                return 2;
            }
            Directory.CreateDirectory(outDirectory);

            var curves = new List<LossCurve> { LossCurve.Mse(), LossCurve.L1() };
            foreach (var threshold in new[] { 0.5, 1.0, 2.0 })
                curves.Add(LossCurve.Huber(threshold));
            foreach (var threshold in new[] { 0.5, 1.0, 2.0 })
                curves.Add(LossCurve.SmoothL1(threshold));

            var samples = curves.Select(c => CurveSampler.Sample(c, -3, 3, 601)).ToList();

            var family = new List<LossCurve> { LossCurve.Huber(1.0) };
            foreach (var alpha in new[] { 2.0, 1.0, 0.0, -2.0, double.NegativeInfinity })
                family.Add(LossCurve.GeneralRobust(alpha));
            family.Add(LossCurve.PseudoHuber(1.0));
            family.Add(LossCurve.LogCosh());
            family.Add(LossCurve.BalancedL1(0.5, 1.5, 1.0));
            var familySamples = family.Select(c => CurveSampler.Sample(c, -4, 4, 801)).ToList();

            var worst = samples.Concat(familySamples).Max(Report);

            var lossPath = Path.Combine(outDirectory, "loss-curves.png");
            var gradientPath = Path.Combine(outDirectory, "gradient-curves.png");
            var familyPath = Path.Combine(outDirectory, "family-curves.png");
            ChartWriter.Losses(samples, lossPath);
            ChartWriter.Gradients(samples, gradientPath);
            ChartWriter.Family(familySamples, familyPath);
            Console.WriteLine($"wrote {lossPath}, {gradientPath} and {familyPath}");

            if (worst > Tolerance)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"FAILED: a computed value differs from its formula by {worst:E2} × max(1, |formula|) (tolerance {Tolerance:E0})."));
                return 1;
            }
            return 0;
        }

        /// <summary>Prints the curve's largest absolute differences from its formulas; returns the largest scaled one.</summary>
        private static double Report(CurveSamples s)
        {
            var indices = Enumerable.Range(0, s.X.Length).ToList();
            var lossError = indices.Max(i => Math.Abs(s.Loss[i] - s.Curve.Loss(s.X[i])));
            var gradientError = indices.Max(i => Math.Abs(s.Gradient[i] - s.Curve.Gradient(s.X[i])));
            var scaled = indices.Max(i => Math.Max(
                Scaled(s.Loss[i], s.Curve.Loss(s.X[i])), Scaled(s.Gradient[i], s.Curve.Gradient(s.X[i]))));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Curve.Label,-40} max |ℓ − formula| = {lossError:E1}   max |ℓ' − formula| = {gradientError:E1}   scaled {scaled:E1}"));
            return scaled;
        }

        private static double Scaled(double computed, double formula)
        {
            var difference = Math.Abs(computed - formula) / Math.Max(1, Math.Abs(formula));
            return double.IsNaN(difference) ? double.PositiveInfinity : difference;
        }

        private static string? OutDirectory(string[] args)
        {
            for (var i = 0; i + 1 < args.Length; i++)
            {
                if (args[i] == "--out")
                    return args[i + 1];
            }
            return null;
        }
    }
}
