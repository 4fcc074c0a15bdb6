using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>The seed's worked example: pred [2.5, 0.3, 4.1], true [3, 0, 4]; every |x| &lt; 1 so both losses are mean(½x²) = 7/120.</summary>
    public class SeedExampleTests
    {
        private static (Tensor Prediction, Tensor Truth) Example(ScalarType dtype) =>
            (tensor(new[] { 2.5, 0.3, 4.1 }, dtype: dtype), tensor(new[] { 3.0, 0.0, 4.0 }, dtype: dtype));

        [Fact]
        public void TorchSharp_loads_and_computes()
        {
            // Fails with "version 'GLIBCXX_3.4.32' not found" if the build did not patch libLibTorchSharp.so on an older libstdc++.
            using var x = ones(3);
            Assert.Equal(3.0f, x.sum().item<float>());
        }

        [Fact]
        public void SmoothL1_module_gives_seven_over_120()
        {
            var (prediction, truth) = Example(ScalarType.Float64);
            using var loss = new SmoothL1Loss().call(prediction, truth);
            Assert.Equal(7.0 / 120.0, loss.item<double>(), 15);
        }

        [Fact]
        public void Huber_module_gives_seven_over_120()
        {
            var (prediction, truth) = Example(ScalarType.Float64);
            using var loss = new HuberLoss().call(prediction, truth);
            Assert.Equal(7.0 / 120.0, loss.item<double>(), 15);
        }

        [Fact]
        public void Float32_example_is_bitwise_libtorch()
        {
            var (prediction, truth) = Example(ScalarType.Float32);
            using var ours = functional.smooth_l1_loss(prediction, truth);
            using var reference = nn.functional.smooth_l1_loss(prediction, truth);
            Assert.Equal(reference.item<float>(), ours.item<float>());
        }

        [Theory]
        [InlineData(ScalarType.Float16)]
        [InlineData(ScalarType.BFloat16)]
        [InlineData(ScalarType.Float32)]
        [InlineData(ScalarType.Float64)]
        public void Example_and_its_gradient_match_libtorch_in_every_dtype(ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var (prediction, truth) = Example(dtype);
            foreach (var kind in new[] { LossKind.Huber, LossKind.SmoothL1 })
            {
                var ours = Evaluation.Of((x, t) => Losses.Ours(kind, x, t, 1.0, nn.Reduction.Mean), prediction, truth);
                var reference = Evaluation.Of((x, t) => Losses.Libtorch(kind, x, t, 1.0, nn.Reduction.Mean), prediction, truth);
                // Bitwise in Float32/Float64; Float16/BFloat16 within the bounds measured in docs/parity.md.
                var valueBound = ParityBounds.AllowedUlps(kind, 1.0, dtype, broadcast: false, ParityQuantity.Value);
                var gradientBound = ParityBounds.AllowedUlps(kind, 1.0, dtype, broadcast: false, ParityQuantity.Gradient);
                Assert.True(Difference.Between(ours.Value, reference.Value).MaxUlps <= valueBound);
                Assert.True(Difference.Between(ours.InputGradient, reference.InputGradient).MaxUlps <= gradientBound);
                Assert.True(Difference.Between(ours.TargetGradient, reference.TargetGradient).MaxUlps <= gradientBound);
                if (dtype is ScalarType.Float32 or ScalarType.Float64)
                    Assert.True(Difference.Between(ours.Value, reference.Value).Bitwise && Difference.Between(ours.InputGradient, reference.InputGradient).Bitwise);
            }
        }

        [Fact]
        public void Example_gradient_is_x_over_three()
        {
            var (prediction, truth) = Example(ScalarType.Float64);
            var ours = Evaluation.Of((x, t) => functional.smooth_l1_loss(x, t), prediction, truth);
            var x = HostValues.Of(prediction.sub(truth));
            Assert.Equal(new[] { x[0] / 3, x[1] / 3, x[2] / 3 }, HostValues.Of(ours.InputGradient));
        }

        [Theory]
        [InlineData(1.0)]
        [InlineData(2.0)]
        [InlineData(0.5)]
        public void Exact_values_at_and_beyond_the_kinks(double threshold)
        {
            // x = ±τ (the kink), 3τ (linear), τ/2 (quadratic): Huber ½τ², ½τ², 2.5τ², τ²/8; Smooth L1 τ/2, τ/2, 2.5τ, τ/8.
            var input = Inputs.Of(ScalarType.Float64, threshold, 0.0, 3 * threshold, threshold / 2);
            var target = Inputs.Of(ScalarType.Float64, 0.0, threshold, 0.0, 0.0);
            double t = threshold;
            Assert.Equal(new[] { t * t / 2, t * t / 2, 2.5 * t * t, t * t / 8 },
                HostValues.Of(functional.huber_loss(input, target, threshold, nn.Reduction.None)));
            Assert.Equal(new[] { t / 2, t / 2, 2.5 * t, t / 8 },
                HostValues.Of(functional.smooth_l1_loss(input, target, nn.Reduction.None, threshold)));
        }
    }
}
