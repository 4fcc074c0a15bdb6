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
    }
}
