using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;

namespace PartitionFunction
{
    /// <summary>
    /// Integrates the partition function Z(α) = ∫ exp(−ρ(x, α, 1)) dx of Barron's general robust loss and its slope
    /// d log Z/dα at the knots of a cubic Hermite spline over α ∈ [0, 4], measures the spline against direct integration
    /// between the knots, checks the closed forms, and writes the knots as src/TorchLosses/Losses/LogPartitionKnots.g.cs.
    /// Exit code 1 when the measured error exceeds --tolerance or a self-check fails.
    /// Usage: dotnet run --project tools/PartitionFunction -c Release -- --out src/TorchLosses/Losses/LogPartitionKnots.g.cs
    /// </summary>
    public static class Program
    {
        /// <summary>The quadrature's own checks (step halved, range widened, slope against differences) must agree to this.</summary>
        private const double SelfCheckTolerance = 1e-13;

        public static int Main(string[] args)
        {
            var output = new Option<FileInfo?>("--out") { Description = "Where to write the generated C# file (LogPartitionKnots.g.cs). Without it the program only measures." };
            var segments = new Option<int>("--segments")
            {
                Description = "Number of spline segments on [0, 4] (knots = segments + 1).",
                DefaultValueFactory = _ => 780,
            };
            var tolerance = new Option<double>("--tolerance")
            {
                Description = "Fail (exit code 1) when max |spline − quadrature| between the knots exceeds this.",
                DefaultValueFactory = _ => 1e-10,
            };
            var root = new RootCommand("Integrates log Z(α) of Barron's general robust loss and writes the knots of its cubic Hermite spline.")
            {
                output, segments, tolerance,
            };
            root.SetAction(result => Run(result.GetValue(output), result.GetValue(segments), result.GetValue(tolerance)));
            return root.Parse(args).Invoke();
        }

        private static int Run(FileInfo? output, int segmentCount, double tolerance)
        {
            var ok = true;

            // 1. The quadrature checks itself: halving the step and widening the range change nothing; the slope from
            //    E[∂ρ/∂α] matches Richardson-extrapolated central differences of log Z where log Z is smooth.
            double[] probes = [0.0, 1e-6, 1e-3, 0.25, 0.5, 1.0, 1.5, 1.9, 1.999999, 2.0, 2.000001, 2.1, 3.0, 4.0];
            var stepChange = probes.Max(a => Math.Abs(PartitionIntegral.LogZ(a) - PartitionIntegral.LogZ(a, PartitionIntegral.DefaultStep / 2)));
            var rangeChange = probes.Max(a => Math.Abs(PartitionIntegral.LogZ(a) - PartitionIntegral.LogZ(a, halfRange: 60.0)));
            var slopeProbes = probes.Where(a => a >= 0.25 && Math.Abs(a - 2.0) >= 0.5).ToArray();
            var slopeError = slopeProbes.Max(a => Math.Abs(PartitionIntegral.LogZAndSlope(a).Slope - RichardsonSlope(a)));
            var slopeAtKnownPoints = new[] { 1e-6, 1.999999, 2.000001 }.Max(a =>
                Math.Abs(PartitionIntegral.LogZAndSlope(a, PartitionIntegral.DefaultStep / 2).Slope - PartitionIntegral.LogZAndSlope(a).Slope));
            var probeList = string.Join(", ", slopeProbes.Select(a => a.ToString(CultureInfo.InvariantCulture)));
            Console.WriteLine("Quadrature (trapezoidal rule in s = log x, h = 1/32, |s| ≤ 40):");
            Console.WriteLine(Invariant($"  max |log Z(h) − log Z(h/2)|              = {stepChange:E2}"));
            Console.WriteLine(Invariant($"  max |log Z(|s| ≤ 40) − log Z(|s| ≤ 60)|   = {rangeChange:E2}"));
            Console.WriteLine(Invariant($"  max |slope − Richardson differences|     = {slopeError:E2}  (α ∈ {{{probeList}}})"));
            Console.WriteLine(Invariant($"  max |slope(h) − slope(h/2)| near 0 and 2  = {slopeAtKnownPoints:E2}"));
            ok &= Check(stepChange <= SelfCheckTolerance && rangeChange <= SelfCheckTolerance, "the quadrature did not converge");
            ok &= Check(slopeError <= 1e-11 && slopeAtKnownPoints <= SelfCheckTolerance, "the slope disagrees with differences of log Z");

            // 2. The knots and their values.
            var layout = KnotLayout.WithSegments(segmentCount);
            var knots = layout.Knots();
            var values = new double[knots.Length];
            var slopes = new double[knots.Length];
            for (var i = 0; i < knots.Length; i++)
                (values[i], slopes[i]) = PartitionIntegral.LogZAndSlope(knots[i]);
            var spline = new HermiteSpline(knots, values, slopes);
            var singular = layout.SingularSegment();
            var minWidth = Enumerable.Range(0, knots.Length - 1).Min(i => knots[i + 1] - knots[i]);
            var maxWidth = Enumerable.Range(0, knots.Length - 1).Max(i => knots[i + 1] - knots[i]);
            Console.WriteLine();
            Console.WriteLine(Invariant($"Spline: {knots.Length} knots ({segmentCount} segments) on α ∈ [0, 4], widths {minWidth:E2} … {maxWidth:E2};"));
            Console.WriteLine(Invariant($"  α = 2 is the middle of segment {singular}: [2 − {2.0 - knots[singular]:E3}, 2 + {knots[singular + 1] - 2.0:E3}]."));

            // 3. The spline against direct integration at ¼, ½ and ¾ of every segment.
            var worst = 0.0;
            var worstAlpha = 0.0;
            var byRegion = new double[4];
            for (var i = 0; i + 1 < knots.Length; i++)
            {
                foreach (var fraction in new[] { 0.25, 0.5, 0.75 })
                {
                    var a = knots[i] + fraction * (knots[i + 1] - knots[i]);
                    var error = Math.Abs(spline.Evaluate(a) - PartitionIntegral.LogZ(a));
                    var region = Math.Min(3, (int)a);
                    byRegion[region] = Math.Max(byRegion[region], error);
                    if (error > worst)
                        (worst, worstAlpha) = (error, a);
                }
            }
            Console.WriteLine(Invariant($"  max |spline − quadrature| at ¼, ½, ¾ of every segment = {worst:E2} (at α = {worstAlpha:R})"));
            Console.WriteLine(Invariant($"  by region: [0,1) {byRegion[0]:E2}   [1,2) {byRegion[1]:E2}   [2,3) {byRegion[2]:E2}   [3,4] {byRegion[3]:E2}"));
            ok &= Check(worst <= tolerance, Invariant($"the spline's error exceeds the tolerance {tolerance:E1}"));

            // The slope (what autograd gives) is not fitted, only measured: at the middle of every segment against
            // −E[∂ρ/∂α], by distance from α = 2, where the true slope diverges and the segments shrink.
            double[] bands = [1e-2, 1e-4, 1e-6, 1e-8, 0.0];
            var slopeErrors = new double[bands.Length];
            for (var i = 0; i + 1 < knots.Length; i++)
            {
                var a = 0.5 * (knots[i] + knots[i + 1]);
                if (i == singular)
                    continue; // α = 2 itself: the true slope is −∞
                var error = Math.Abs(spline.Slope(a) - PartitionIntegral.LogZAndSlope(a).Slope);
                var band = Array.FindIndex(bands, b => Math.Abs(a - 2.0) >= b);
                slopeErrors[band] = Math.Max(slopeErrors[band], error);
            }
            Console.WriteLine("  max |spline slope − d log Z/dα| at segment middles, by |α − 2|:");
            Console.WriteLine(Invariant($"    ≥ 1e−2: {slopeErrors[0]:E2}   [1e−4, 1e−2): {slopeErrors[1]:E2}   [1e−6, 1e−4): {slopeErrors[2]:E2}   [1e−8, 1e−6): {slopeErrors[3]:E2}   < 1e−8: {slopeErrors[4]:E2}"));
            Console.WriteLine(Invariant($"    at α = 2 the spline's slope is {spline.Slope(2.0):F4} (true: −∞)"));

            // 4. Closed forms.
            var k1 = BesselK1(1.0);
            (string Name, double Alpha, double Exact)[] closedForms =
            [
                ("log Z(0) = log(π√2)", 0.0, Math.Log(Math.PI * Math.Sqrt(2.0))),
                ("log Z(1) = log(2e·K₁(1))", 1.0, Math.Log(2.0 * Math.E * k1)),
                ("log Z(2) = log √(2π)", 2.0, 0.5 * Math.Log(2.0 * Math.PI)),
            ];
            Console.WriteLine();
            Console.WriteLine(Invariant($"Closed forms (K₁(1) = {k1:R} by ∫ e^(−cosh t)·cosh t dt):"));
            foreach (var (name, alpha, exact) in closedForms)
            {
                var quadrature = PartitionIntegral.LogZ(alpha) - exact;
                var splined = spline.Evaluate(alpha) - exact;
                Console.WriteLine(Invariant($"  {name,-26} quadrature − exact = {quadrature,10:E2}   spline − exact = {splined,10:E2}"));
                ok &= Check(Math.Abs(quadrature) <= SelfCheckTolerance && Math.Abs(splined) <= tolerance, $"{name} does not hold");
            }

            if (output is not null)
            {
                KnotFileWriter.Write(output.FullName, knots, values, slopes, singular, worst);
                Console.WriteLine();
                Console.WriteLine($"wrote {output.FullName}");
            }
            return ok ? 0 : 1;
        }

        /// <summary>d log Z/dα by central differences at δ, δ/2, δ/4 (δ = 0.01), extrapolated twice (error O(δ⁶)).</summary>
        private static double RichardsonSlope(double alpha)
        {
            static double Difference(double a, double d) => (PartitionIntegral.LogZ(a + d) - PartitionIntegral.LogZ(a - d)) / (2.0 * d);
            const double delta = 0.01;
            double d1 = Difference(alpha, delta), d2 = Difference(alpha, delta / 2), d4 = Difference(alpha, delta / 4);
            double r1 = (4.0 * d2 - d1) / 3.0, r2 = (4.0 * d4 - d2) / 3.0;
            return (16.0 * r2 - r1) / 15.0;
        }

        /// <summary>K₁(x) = ∫₀^∞ e^{−x·cosh t}·cosh t dt, by the trapezoidal rule (even, entire integrand: geometric convergence).</summary>
        private static double BesselK1(double x)
        {
            const double step = 1.0 / 16.0;
            var sum = 0.5 * Math.Exp(-x);
            for (var k = 1; k * step <= 10.0; k++)
            {
                var c = Math.Cosh(k * step);
                sum += Math.Exp(-x * c) * c;
            }
            return step * sum;
        }

        private static bool Check(bool condition, string failure)
        {
            if (!condition)
                Console.Error.WriteLine("FAILED: " + failure);
            return condition;
        }

        private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
    }
}
