using System;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Family
{
    /// <summary>
    /// The adaptive loss against robust_loss_pytorch's published test values (tests/distribution_test.py): Z(α) at rational
    /// α to 10 digits ("generated with an external mathematica script" there), and its NLL at α = 0 and α = 2 against the
    /// Cauchy and normal log-densities.
    /// </summary>
    public class PublishedValueTests(ITestOutputHelper output)
    {
        /// <summary>(n, d, Z(n/d)) for n/d ≤ 4, from distribution_test.py's testAnalyaticalPartitionIsCorrect.</summary>
        private static readonly (int N, int D, double Z)[] RationalPartitions =
        {
            (1, 7, 4.080330073), (1, 6, 4.038544331), (1, 5, 3.984791180), (1, 4, 3.912448576), (1, 3, 3.808203509),
            (2, 5, 3.735479786), (3, 7, 3.706553276), (1, 2, 3.638993131), (3, 5, 3.553489270), (2, 3, 3.501024540),
            (3, 4, 3.439385624), (4, 5, 3.404121259), (1, 1, 3.272306973), (6, 5, 3.149249092), (5, 4, 3.119044506),
            (4, 3, 3.068687433), (7, 5, 3.028084866), (3, 2, 2.965924889), (8, 5, 2.901059987), (5, 3, 2.855391798),
            (7, 4, 2.794052016), (7, 3, 2.260434598), (5, 2, 2.218882601), (8, 3, 2.190349858), (3, 1, 2.153202857),
            (4, 1, 2.101960916), (7, 2, 2.121140098), (10, 3, 2.129863884), (11, 3, 2.113763384),
        };

        [Fact]
        public void Log_partition_matches_the_published_rational_values()
        {
            double worst = 0;
            foreach (var (n, d, z) in RationalPartitions)
            {
                double ours = Math.Exp(LogPartition.Of((double)n / d));
                // The published values have 10 significant digits: half a unit of the last is 5e-10 at Z ≈ 3.
                double error = Math.Abs(ours - z);
                worst = Math.Max(worst, error);
                Assert.True(error <= 6e-10, $"Z({n}/{d}) = {ours:R}, published {z}");
            }
            output.WriteLine($"max |Z − published| = {worst:G3} over {RationalPartitions.Length} values");
        }

        [Theory]
        [InlineData(0.0)]
        [InlineData(2.0)]
        public void Adaptive_nll_is_the_cauchy_or_normal_log_density(double alpha)
        {
            const double scale = 1.7;
            var x = Enumerable.Range(0, 1000).Select(k => -10 + 20.0 * k / 999).ToArray();
            var loss = new AdaptiveRobustLoss(1, alpha_lo: alpha, alpha_hi: alpha, alpha_init: alpha, scale_lo: scale, scale_init: scale,
                reduction: nn.Reduction.None);
            using var input = tensor(x, dtype: ScalarType.Float64).reshape(-1, 1);
            using var zero = zeros_like(input);
            var nll = HostValues.Of(loss.call(input, zero));
            double worst = 0;
            for (int k = 0; k < x.Length; k++)
            {
                // α = 0: Cauchy with scale c·√2; α = 2: normal with standard deviation c.
                double expected = alpha == 0
                    ? Math.Log(Math.PI * scale * Math.Sqrt(2) * (1 + x[k] * x[k] / (2 * scale * scale)))
                    : 0.5 * (x[k] / scale) * (x[k] / scale) + Math.Log(scale * Math.Sqrt(2 * Math.PI));
                worst = Math.Max(worst, Math.Abs(nll[k] - expected));
            }
            output.WriteLine($"α = {alpha}: max |NLL − log-density| = {worst:G3}");
            // α and the scale are fixed here, so they enter in float64; log Z(0) and log Z(2) are the table's (exact at α = 0,
            // 1.1e-16 at α = 2).
            Assert.True(worst <= 1e-13, worst.ToString("G3"));
        }
    }
}
