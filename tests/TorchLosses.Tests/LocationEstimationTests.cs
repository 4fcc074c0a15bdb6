using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// Huber's own setting (1964): estimate a location from (1 − ε)·N(0, 1) + ε·N(5, 1) by minimising the mean loss with
    /// gradient descent through our losses. At ε = 0.2 the mean (L2) is pulled to about 1.0, Huber (δ = 1.345) stays near 0.4,
    /// and L1 lands on the sample median (about 0.3).
    /// </summary>
    public class LocationEstimationTests
    {
        private const int Samples = 2000;
        private const double Epsilon = 0.2;

        private static Tensor ContaminatedSample(int seed)
        {
            var rng = new Random(seed);
            double Gaussian() => Math.Sqrt(-2.0 * Math.Log(1.0 - rng.NextDouble())) * Math.Cos(2.0 * Math.PI * rng.NextDouble());
            int outliers = (int)(Epsilon * Samples);
            var values = Enumerable.Range(0, Samples).Select(i => i < outliers ? 5.0 + Gaussian() : Gaussian()).ToArray();
            return tensor(values, dtype: ScalarType.Float64);
        }

        /// <summary>Gradient descent on θ for mean(loss(θ, x)); the step size decays so L1's sign gradient settles too.
        /// <paramref name="rateScale"/> compensates a loss whose gradient is scaled down (SmoothL1 with a large β: gradient x/β).</summary>
        private static double Estimate(Tensor sample, Func<Tensor, Tensor, Tensor> loss, double rateScale = 1.0)
        {
            using var theta = zeros(1, dtype: ScalarType.Float64).requires_grad_();
            for (int step = 0; step < 200; step++)
            {
                using var scope = NewDisposeScope();
                var value = loss(theta.expand(sample.shape), sample);
                value.backward();
                using (no_grad())
                {
                    using var rate = (-2.0 * rateScale / (1.0 + step / 20.0)).ToScalar();
                    theta.add_(theta.grad!, rate);
                    theta.grad!.zero_();
                }
            }
            return theta.item<double>();
        }

        [Fact]
        public void L2_is_pulled_toward_the_outliers_Huber_and_L1_are_not()
        {
            using var sample = ContaminatedSample(seed: 2024);
            double l2 = Estimate(sample, (t, x) => functional.huber_loss(t, x, double.PositiveInfinity));
            double huber = Estimate(sample, (t, x) => functional.huber_loss(t, x, 1.345));
            double l1 = Estimate(sample, (t, x) => functional.smooth_l1_loss(t, x, beta: 0.0));
            double median = sample.median().item<double>();
            double mean = sample.mean().item<double>();

            Assert.InRange(l2, mean - 0.01, mean + 0.01);    // L2's minimiser is the sample mean ...
            Assert.InRange(l2, 0.85, 1.15);                   // ... which the 20 % outliers drag to about 1
            Assert.InRange(huber, 0.30, 0.50);                // Huber's M-estimate stays near 0.4
            Assert.InRange(l1, median - 0.05, median + 0.05); // L1's minimiser is the median
            Assert.True(l1 < huber && huber < l2, $"expected L1 < Huber < L2, got {l1}, {huber}, {l2}");
        }

        [Fact]
        public void SmoothL1_with_small_beta_behaves_like_L1_and_large_beta_like_L2()
        {
            using var sample = ContaminatedSample(seed: 7);
            double median = sample.median().item<double>();
            double mean = sample.mean().item<double>();
            using var smallBeta = new SmoothL1Loss(beta: 1.0 / 9.0);
            using var largeBeta = new SmoothL1Loss(beta: 100.0);
            double small = Estimate(sample, (t, x) => smallBeta.call(t, x));
            double large = Estimate(sample, (t, x) => largeBeta.call(t, x), rateScale: 100.0);
            Assert.InRange(small, median - 0.1, median + 0.1);
            Assert.InRange(large, mean - 0.05, mean + 0.05);
        }
    }
}
