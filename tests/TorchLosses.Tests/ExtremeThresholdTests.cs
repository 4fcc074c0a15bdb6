using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// Thresholds at the edges of a dtype's range, where libtorch's kernels round them: a finite δ or β beyond the range is ∞
    /// there (Huber becomes ½x², Smooth L1 becomes 0), one below the smallest subnormal is 0 (Smooth L1 becomes L1, Huber 0).
    /// Ours gives libtorch's values and gradients, with no overflow error and no NaN. One difference, by design: at a huge β
    /// libtorch's Smooth L1 backward divides by the unrounded β and returns subnormal gradients (x/10³⁹ in float32); ours
    /// divides by the β the forward used (∞) and returns ±0, as the forward's value 0 implies.
    /// </summary>
    public class ExtremeThresholdTests(ITestOutputHelper output)
    {
        public static IEnumerable<object[]> Cases() =>
            from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
            from dtype in new[] { ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16 }
            from threshold in new[] { 1e39, 1e300, double.MaxValue, 1e-300, double.Epsilon, 1e-40, 1e-8 }
            select new object[] { kind, dtype, threshold };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Values_and_gradients_are_libtorchs(LossKind kind, ScalarType dtype, double threshold)
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Of(ScalarType.Float64, 2.5, 0.3, -4.1, 0.0, 1e-3, -7.0).to(dtype);
            var target = Inputs.Of(ScalarType.Float64, 3.0, 0.0, 4.0, 0.0, 0.0, -7.0).to(dtype);
            var ours = Gradients.Of(l => Losses.Ours(kind, l[0], target, threshold, nn.Reduction.Sum), new[] { input });
            var reference = Gradients.Of(l => Losses.Libtorch(kind, l[0], target, threshold, nn.Reduction.Sum), new[] { input });
            var ourElementwise = Losses.Ours(kind, input, target, threshold, nn.Reduction.None);
            var theirElementwise = Losses.Libtorch(kind, input, target, threshold, nn.Reduction.None);

            var values = Difference.Between(ourElementwise, theirElementwise);
            output.WriteLine($"values {values}: ours {string.Join(", ", HostValues.Of(ourElementwise))}");
            Assert.False(HostValues.Of(ourElementwise).Any(double.IsNaN), "no NaN");
            Assert.True(values.MaxUlps <= ParityBounds.AllowedUlps(kind, 1.0, dtype, false, ParityQuantity.Value), $"values: {values}");

            var ourGradient = HostValues.Of(ours.OfLeaves[0]);
            var theirGradient = HostValues.Of(reference.OfLeaves[0]);
            output.WriteLine($"gradient: ours {string.Join(", ", ourGradient)}; libtorch {string.Join(", ", theirGradient)}");
            Assert.False(ourGradient.Any(double.IsNaN), "no NaN gradient");
            if (kind == LossKind.SmoothL1 && threshold > 1e30)
            {
                // The forward used β = ∞ (value 0); libtorch's backward divides by the unrounded β: at most a subnormal.
                Assert.All(ourGradient, g => Assert.Equal(0.0, g));
                Assert.All(theirGradient, g => Assert.True(System.Math.Abs(g) < 1.2e-38, $"libtorch's gradient {g} is not subnormal"));
                return;
            }
            var gradient = Difference.Between(ours.OfLeaves[0], reference.OfLeaves[0]);
            Assert.True(gradient.MaxUlps <= ParityBounds.AllowedUlps(kind, 1.0, dtype, false, ParityQuantity.Gradient), $"gradient: {gradient}");
        }
    }
}
