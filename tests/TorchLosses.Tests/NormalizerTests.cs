using System;
using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>The normalizer replaces the element count of Mean: loss = Σ weight·ℓ / normalizer; it is refused with Sum and None.</summary>
    public class NormalizerTests(ITestOutputHelper output)
    {
        public static IEnumerable<object[]> Cases() =>
            from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
            from dtype in new[] { ScalarType.Float32, ScalarType.Float64 }
            from normalizer in new[] { 3.0, 128.0, 0.7 }
            from weighted in new[] { false, true }
            select new object[] { kind, dtype, normalizer, weighted };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Mean_divides_the_sum_by_the_normalizer(LossKind kind, ScalarType dtype, double normalizer, bool weighted)
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 10, 4 }, dtype, 1.0, 1);
            var target = Inputs.Uniform(new long[] { 10, 4 }, dtype, 1.0, 2);
            var weight = weighted ? Inputs.Uniform(new long[] { 4 }, dtype, 1.0, 3).abs() : null;
            using var divisor = normalizer.ToScalar();

            var ours = Gradients.Of(l => Losses.Ours(kind, l[0], l[1], 1.0, nn.Reduction.Mean, weight, normalizer), new[] { input, target });
            var reference = Gradients.Of(l =>
            {
                var elementwise = Losses.Libtorch(kind, l[0], l[1], 1.0, nn.Reduction.None);
                return (weight is null ? elementwise : elementwise * weight).sum().div(divisor);
            }, new[] { input, target });

            var value = Difference.Between(ours.Value, reference.Value);
            var inputGradient = Difference.Between(ours.OfLeaves[0], reference.OfLeaves[0]);
            var targetGradient = Difference.Between(ours.OfLeaves[1], reference.OfLeaves[1]);
            output.WriteLine($"value {value}; input {inputGradient}; target {targetGradient}");
            Assert.True(value.Bitwise, $"value: {value}");
            // Gradient: c·(g·(1/n)) against autograd's x·(g/n): the reciprocal costs at most a rounding or two.
            Assert.True(inputGradient.MaxUlps <= 2, $"input gradient: {inputGradient}");
            Assert.True(targetGradient.MaxUlps <= 2, $"target gradient: {targetGradient}");
        }

        [Theory]
        [InlineData(nn.Reduction.Sum)]
        [InlineData(nn.Reduction.None)]
        public void Normalizer_needs_reduction_mean(nn.Reduction reduction)
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 3 }, ScalarType.Float32, 1.0, 1);
            var target = Inputs.Uniform(new long[] { 3 }, ScalarType.Float32, 1.0, 2);
            var huber = Assert.Throws<ArgumentException>(() => functional.huber_loss(input, target, 1.0, reduction, normalizer: 2.0));
            Assert.Equal("normalizer", huber.ParamName);
            Assert.Contains(reduction.ToString(), huber.Message);
            var smoothL1 = Assert.Throws<ArgumentException>(() => functional.smooth_l1_loss(input, target, reduction, 1.0, normalizer: 2.0));
            Assert.Equal("normalizer", smoothL1.ParamName);
            using var module = new HuberLoss(1.0, reduction);
            Assert.Equal("normalizer", Assert.Throws<ArgumentException>(() => module.forward(input, target, null, 2.0)).ParamName);
        }

        [Theory]
        [InlineData(0.0)]
        [InlineData(-1.0)]
        [InlineData(double.NaN)]
        [InlineData(double.PositiveInfinity)]
        public void Normalizer_must_be_positive_and_finite(double normalizer)
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 3 }, ScalarType.Float32, 1.0, 1);
            var target = Inputs.Uniform(new long[] { 3 }, ScalarType.Float32, 1.0, 2);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => functional.smooth_l1_loss(input, target, normalizer: normalizer));
            Assert.Equal("normalizer", error.ParamName);
        }

        [Fact]
        public void Module_forward_with_normalizer_equals_functional()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float32, 1.0, 1);
            var target = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float32, 1.0, 2);
            using var module = new SmoothL1Loss(beta: 1.0 / 9);
            Assert.True(Difference.Between(
                module.forward(input, target, null, 5.0),
                functional.smooth_l1_loss(input, target, nn.Reduction.Mean, 1.0 / 9, null, 5.0)).Bitwise);
        }
    }
}
