using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// A per-element weight gives reduce(weight · ℓ) with Mean dividing by the element count, and its gradient matches autograd
    /// through libtorch's composition <c>reduce(w * F.huber_loss(input, target, reduction: None))</c>.
    /// </summary>
    public class WeightTests(ITestOutputHelper output)
    {
        private static readonly long[] LossShape = { 6, 4 };

        public static IEnumerable<object[]> Cases() =>
            from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
            from reduction in ParityTests.Reductions
            from dtype in new[] { ScalarType.Float32, ScalarType.Float64 }
            from weightShape in new[] { "6x4", "4", "6x1", "1" }
            select new object[] { kind, reduction, dtype, weightShape };

        private static long[] Shape(string name) => name.Split('x').Select(long.Parse).ToArray();

        private static Tensor Reduce(Tensor elementwise, nn.Reduction reduction) => reduction switch
        {
            nn.Reduction.Mean => elementwise.mean(),
            nn.Reduction.Sum => elementwise.sum(),
            _ => elementwise,
        };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Value_and_gradients_of_input_target_and_weight_match_libtorch_composition(
            LossKind kind, nn.Reduction reduction, ScalarType dtype, string weightShape)
        {
            using var scope = NewDisposeScope();
            double threshold = 0.5;
            var input = Inputs.Uniform(LossShape, dtype, threshold, 1);
            var target = Inputs.Uniform(LossShape, dtype, threshold, 2);
            var weight = Inputs.Uniform(Shape(weightShape), dtype, 1.0, 3).abs();
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(LossShape, dtype, 1.0, 4) : null;

            var ours = Gradients.Of(l => Losses.Ours(kind, l[0], l[1], threshold, reduction, weight: l[2]), new[] { input, target, weight }, upstream);
            var reference = Gradients.Of(l => Reduce(l[2] * Losses.Libtorch(kind, l[0], l[1], threshold, nn.Reduction.None), reduction),
                new[] { input, target, weight }, upstream);

            var value = Difference.Between(ours.Value, reference.Value);
            var differences = Enumerable.Range(0, 3).Select(i => Difference.Between(ours.OfLeaves[i], reference.OfLeaves[i])).ToArray();
            output.WriteLine($"value {value}; input {differences[0]}; target {differences[1]}; weight {differences[2]}");
            // The value and the weight's gradient are the same ops in the same order: bit for bit. The input's gradient is
            // (c·w)·(g/N) against autograd's x·(w·(g/N)): three roundings in another order, measured at most 2 ulps.
            Assert.True(value.Bitwise, $"value: {value}");
            Assert.True(differences[2].Bitwise, $"weight gradient: {differences[2]}");
            const long allowed = 2;
            Assert.True(differences[0].MaxUlps <= allowed, $"input gradient: {differences[0]}");
            Assert.True(differences[1].MaxUlps <= allowed, $"target gradient: {differences[1]}");
        }

        /// <summary>Every threshold, reduction and dtype of the parity matrix, on a plain and a broadcast layout.</summary>
        public static IEnumerable<object[]> OnesCases() =>
            ParityTests.Cases().Where(row => (string)row[4] is "2-D" or "broadcast");

        [Theory]
        [MemberData(nameof(OnesCases))]
        public void Weight_of_ones_changes_nothing(LossKind kind, double threshold, nn.Reduction reduction, ScalarType dtype, string shape)
        {
            using var scope = NewDisposeScope();
            var (input, target) = ShapeCase.Create(shape, dtype, threshold, 5);
            var lossShape = broadcast_tensors(input, target)[0].shape;
            var ones = torch.ones(lossShape, dtype);
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(lossShape, dtype, 1.0, 6) : null;
            var weighted = Gradients.Of(l => Losses.Ours(kind, l[0], l[1], threshold, reduction, weight: ones), new[] { input, target }, upstream);
            var plain = Gradients.Of(l => Losses.Ours(kind, l[0], l[1], threshold, reduction), new[] { input, target }, upstream);
            Assert.True(Difference.Between(weighted.Value, plain.Value).Bitwise);
            Assert.True(Difference.Between(weighted.OfLeaves[0], plain.OfLeaves[0]).Bitwise);
            Assert.True(Difference.Between(weighted.OfLeaves[1], plain.OfLeaves[1]).Bitwise);
        }

        [Theory]
        [InlineData(LossKind.Huber)]
        [InlineData(LossKind.SmoothL1)]
        public void Mean_divides_by_the_element_count_not_by_the_weight_sum(LossKind kind)
        {
            using var scope = NewDisposeScope();
            // 8 elements (a power of two, so sum/8 is exact), half of them weighted 0.
            var input = Inputs.Uniform(new long[] { 2, 4 }, ScalarType.Float64, 1.0, 7);
            var target = Inputs.Uniform(new long[] { 2, 4 }, ScalarType.Float64, 1.0, 8);
            var weight = Inputs.Of(ScalarType.Float64, 1.0, 0.0, 1.0, 0.0);
            double mean = HostValues.Scalar(Losses.Ours(kind, input, target, 1.0, nn.Reduction.Mean, weight));
            double sum = HostValues.Scalar(Losses.Ours(kind, input, target, 1.0, nn.Reduction.Sum, weight));
            var elementwise = HostValues.Of(Losses.Libtorch(kind, input, target, 1.0, nn.Reduction.None));
            Assert.Equal(sum / 8, mean);
            Assert.Equal(elementwise.Where((_, i) => i % 2 == 0).Sum(), sum, 14);
        }

        [Fact]
        public void Weight_without_requires_grad_gets_no_gradient_and_others_still_do()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 5, 4 }, ScalarType.Float32, 1.0, 1).requires_grad_(true);
            var target = Inputs.Uniform(new long[] { 5, 4 }, ScalarType.Float32, 1.0, 2);
            var weight = Inputs.Uniform(new long[] { 4 }, ScalarType.Float32, 1.0, 3);
            functional.huber_loss(input, target, weight: weight).backward();
            Assert.NotNull(input.grad);
            Assert.Null(weight.grad);
            Assert.Null(target.grad);
        }

        [Fact]
        public void Module_forward_with_weight_equals_functional()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 5, 4 }, ScalarType.Float32, 1.0, 1);
            var target = Inputs.Uniform(new long[] { 5, 4 }, ScalarType.Float32, 1.0, 2);
            var weight = Inputs.Uniform(new long[] { 4 }, ScalarType.Float32, 1.0, 3);
            using var huber = new HuberLoss(0.7, nn.Reduction.Sum);
            using var smoothL1 = new SmoothL1Loss(nn.Reduction.Sum, 0.25);
            Assert.True(Difference.Between(huber.forward(input, target, weight), functional.huber_loss(input, target, 0.7, nn.Reduction.Sum, weight)).Bitwise);
            Assert.True(Difference.Between(smoothL1.forward(input, target, weight), functional.smooth_l1_loss(input, target, nn.Reduction.Sum, 0.25, weight)).Bitwise);
        }
    }
}
