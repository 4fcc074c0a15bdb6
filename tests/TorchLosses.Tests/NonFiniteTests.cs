using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>NaN and ±∞ in input or target propagate to values and gradients exactly as libtorch's kernels propagate them.</summary>
    public class NonFiniteTests
    {
        private static readonly double[] InputValues = { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.25, double.PositiveInfinity, 2.0, -3.0, 0.0, double.NaN };
        private static readonly double[] TargetValues = { 0.0, 0.0, 0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.PositiveInfinity, 0.5, double.NaN };

        public static IEnumerable<object[]> Cases() =>
            from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
            from reduction in ParityTests.Reductions
            from dtype in ParityTests.FloatingTypes
            select new object[] { kind, reduction, dtype };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Values_and_gradients_propagate_like_libtorch(LossKind kind, nn.Reduction reduction, ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Of(dtype, InputValues);
            var target = Inputs.Of(dtype, TargetValues);
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(new long[] { InputValues.Length }, dtype, 1.0, 5) : null;
            var ours = Evaluation.Of((x, t) => Losses.Ours(kind, x, t, 0.5, reduction), input, target, upstream);
            var reference = Evaluation.Of((x, t) => Losses.Libtorch(kind, x, t, 0.5, reduction), input, target, upstream);
            ours.AssertBitwise(reference);
        }

        [Theory]
        [InlineData(LossKind.Huber)]
        [InlineData(LossKind.SmoothL1)]
        public void Elementwise_values_are_what_the_formula_gives(LossKind kind)
        {
            using var scope = NewDisposeScope();
            var loss = HostValues.Of(Losses.Ours(kind, Inputs.Of(ScalarType.Float64, InputValues), Inputs.Of(ScalarType.Float64, TargetValues), 0.5, nn.Reduction.None));
            Assert.True(double.IsNaN(loss[0]));                     // NaN − 0
            Assert.Equal(double.PositiveInfinity, loss[1]);          // +∞ − 0: linear branch
            Assert.Equal(double.PositiveInfinity, loss[2]);          // −∞ − 0: linear branch, |x|
            Assert.True(double.IsNaN(loss[3]));                      // 0.25 − NaN
            Assert.True(double.IsNaN(loss[4]));                      // ∞ − ∞
            Assert.Equal(double.PositiveInfinity, loss[5]);          // 2 − (−∞)
            Assert.Equal(double.PositiveInfinity, loss[6]);          // −3 − ∞
            Assert.False(double.IsNaN(loss[7]) || double.IsInfinity(loss[7]));
        }

        [Fact]
        public void Infinite_delta_matches_libtorch_including_infinite_errors()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Of(ScalarType.Float64, InputValues);
            var target = Inputs.Of(ScalarType.Float64, TargetValues);
            var ours = Evaluation.Of((x, t) => functional.huber_loss(x, t, double.PositiveInfinity, nn.Reduction.Sum), input, target);
            var reference = Evaluation.Of((x, t) => nn.functional.huber_loss(x, t, double.PositiveInfinity, nn.Reduction.Sum), input, target);
            Assert.True(Difference.Between(ours.InputGradient, reference.InputGradient).Bitwise);
            Assert.True(Difference.Between(
                functional.huber_loss(input, target, double.PositiveInfinity, nn.Reduction.None),
                nn.functional.huber_loss(input, target, double.PositiveInfinity, nn.Reduction.None)).Bitwise);
        }

        [Fact]
        public void Infinite_beta_matches_libtorch_values_and_finite_gradients()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Of(ScalarType.Float64, InputValues);
            var target = Inputs.Of(ScalarType.Float64, TargetValues);
            Assert.True(Difference.Between(
                functional.smooth_l1_loss(input, target, nn.Reduction.None, double.PositiveInfinity),
                nn.functional.smooth_l1_loss(input, target, nn.Reduction.None, double.PositiveInfinity)).Bitwise);
            var ours = HostValues.Of(Evaluation.Of((x, t) => functional.smooth_l1_loss(x, t, nn.Reduction.Sum, double.PositiveInfinity), input, target).InputGradient);
            var reference = HostValues.Of(Evaluation.Of((x, t) => nn.functional.smooth_l1_loss(x, t, nn.Reduction.Sum, double.PositiveInfinity), input, target).InputGradient);
            // Where x = ±∞ libtorch's backward takes its x ≥ β branch (±1); ours computes c/β = ∞/∞ = NaN. docs/parity.md.
            var x = HostValues.Of(input.sub(target));
            for (int i = 0; i < x.Length; i++)
                if (!double.IsInfinity(x[i]))
                    Assert.Equal(reference[i], ours[i]);
        }
    }
}
