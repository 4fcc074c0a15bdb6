using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace LossCurves
{
    /// <summary>
    /// Draws docs/images/loss-curves.png and docs/images/gradient-curves.png over x ∈ [−3, 3]:
    /// MSE (½x²), L1, Smooth L1 (β = 0.5, 1, 2) and Huber (δ = 0.5, 1, 2), each computed by TorchLosses with reduction
    /// None and differentiated by autograd. Every sample is also checked against the textbook formula; a mismatch
    /// fails the run (exit code 1), so the pictures double as a test.
    /// Usage: dotnet run --project tools/LossCurves -c Release -- --out docs/images
    /// </summary>
    public static class Program
    {
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

            var worst = 0.0;
            foreach (var s in samples)
            {
                var lossError = Enumerable.Range(0, s.X.Length).Max(i => Math.Abs(s.Loss[i] - s.Curve.Loss(s.X[i])));
                var gradientError = Enumerable.Range(0, s.X.Length).Max(i => Math.Abs(s.Gradient[i] - s.Curve.Gradient(s.X[i])));
                worst = Math.Max(worst, Math.Max(lossError, gradientError));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{s.Curve.Label,-28} max |ℓ − formula| = {lossError:E1}   max |ℓ' − formula| = {gradientError:E1}"));
            }

            var lossPath = Path.Combine(outDirectory, "loss-curves.png");
            var gradientPath = Path.Combine(outDirectory, "gradient-curves.png");
            ChartWriter.Losses(samples, lossPath);
            ChartWriter.Gradients(samples, gradientPath);
            Console.WriteLine($"wrote {lossPath} and {gradientPath}");

            if (worst > Tolerance)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"FAILED: a computed value differs from its formula by {worst:E2} (tolerance {Tolerance:E0})."));
                return 1;
            }
            return 0;
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
