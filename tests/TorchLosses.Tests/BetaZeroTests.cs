using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>Smooth L1 with β = 0 is exactly L1: libtorch's <c>l1_loss</c> values, gradient sign(x) with 0 at x = 0.</summary>
    public class BetaZeroTests
    {
        public static IEnumerable<object[]> Cases() =>
            from reduction in ParityTests.Reductions
            from dtype in ParityTests.FloatingTypes
            from shape in new[] { "0-d", "empty", "2-D", "transposed", "broadcast", "large" }
            select new object[] { reduction, dtype, shape };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Values_and_gradients_are_libtorch_l1_loss(nn.Reduction reduction, ScalarType dtype, string shape)
        {
            using var scope = NewDisposeScope();
            var (input, target) = ShapeCase.Create(shape, dtype, 1.0, seed: 3);
            Tensor? upstream = reduction == nn.Reduction.None
                ? Inputs.Uniform(broadcast_tensors(input, target)[0].shape, dtype, 1.0, 4)
                : null;
            var ours = Evaluation.Of((x, t) => functional.smooth_l1_loss(x, t, reduction, beta: 0.0), input, target, upstream);
            var reference = Evaluation.Of((x, t) =>
            {
                var expanded = broadcast_tensors(x, t);
                return nn.functional.l1_loss(expanded[0], expanded[1], reduction);
            }, input, target, upstream);
            ours.AssertBitwise(reference);
        }

        [Theory]
        [InlineData(ScalarType.Float32)]
        [InlineData(ScalarType.Float64)]
        [InlineData(ScalarType.Float16)]
        public void Gradient_is_sign_and_zero_where_input_equals_target(ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Of(dtype, 2.0, -0.5, 1.25, 0.0, -3.0);
            var target = Inputs.Of(dtype, 1.0, 0.5, 1.25, 0.0, -3.0);
            var ours = Evaluation.Of((x, t) => functional.smooth_l1_loss(x, t, nn.Reduction.Sum, beta: 0.0), input, target);
            Assert.Equal(new[] { 1.0, -1.0, 0.0, 0.0, 0.0 }, HostValues.Of(ours.InputGradient));
            Assert.Equal(new[] { -1.0, 1.0, 0.0, 0.0, 0.0 }, HostValues.Of(ours.TargetGradient));
            Assert.Equal(2.0, HostValues.Scalar(ours.Value));
        }

        [Fact]
        public void Module_with_beta_zero_is_l1()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 6, 4 }, ScalarType.Float32, 1.0, 8);
            var target = Inputs.Uniform(new long[] { 6, 4 }, ScalarType.Float32, 1.0, 9);
            using var module = new SmoothL1Loss(nn.Reduction.Mean, beta: 0.0);
            Assert.True(Difference.Between(module.call(input, target), nn.functional.l1_loss(input, target)).Bitwise);
        }
    }
}
