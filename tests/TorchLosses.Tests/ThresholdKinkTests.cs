using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// At |x| equal to the threshold the loss is continuous (½δ² for Huber, ½β for Smooth L1) and the gradient is the
    /// linear branch's: ±δ for Huber, ±1 for Smooth L1, as in libtorch's backward (x ≥ δ takes the linear branch).
    /// </summary>
    public class ThresholdKinkTests
    {
        public static IEnumerable<object[]> Cases() =>
            from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
            from dtype in ParityTests.FloatingTypes
            from threshold in new[] { 0.5, 1.0, 2.0, 0.75, 0.3 }
            select new object[] { kind, dtype, threshold };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Value_and_gradient_at_plus_and_minus_threshold(LossKind kind, ScalarType dtype, double requested)
        {
            using var scope = NewDisposeScope();
            double threshold = Inputs.Representable(requested, dtype);
            // x = input − target = +τ, −τ, then +τ and −τ again from a nonzero target (2τ − τ and 0 − τ are exact).
            var input = Inputs.Of(dtype, threshold, -threshold, 2 * threshold, 0.0);
            var target = Inputs.Of(dtype, 0.0, 0.0, threshold, threshold);
            Assert.Equal(new[] { threshold, -threshold, threshold, -threshold }, HostValues.Of(input.sub(target)));

            var ours = Evaluation.Of((x, t) => Losses.Ours(kind, x, t, threshold, nn.Reduction.Sum), input, target);
            double slope = kind == LossKind.Huber ? threshold : 1.0;
            Assert.Equal(new[] { slope, -slope, slope, -slope }, HostValues.Of(ours.InputGradient));
            Assert.Equal(new[] { -slope, slope, -slope, slope }, HostValues.Of(ours.TargetGradient));

            var elementwise = HostValues.Of(Losses.Ours(kind, input, target, threshold, nn.Reduction.None));
            double kink = kind == LossKind.Huber ? Inputs.Representable(0.5 * threshold * threshold, dtype) : Inputs.Representable(0.5 * threshold, dtype);
            Assert.All(elementwise, value => Assert.Equal(kink, value));

            var reference = Evaluation.Of((x, t) => Losses.Libtorch(kind, x, t, threshold, nn.Reduction.Sum), input, target);
            Assert.True(Difference.Between(ours.InputGradient, reference.InputGradient).Bitwise);
            Assert.True(Difference.Between(ours.TargetGradient, reference.TargetGradient).Bitwise);
        }
    }
}
