using System;
using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// A threshold tensor (one δ or β per coordinate, shape [4] against boxes [N, 4]) equals computing each column with its
    /// own scalar threshold; β entries of 0 are L1; invalid entries throw on the CPU.
    /// </summary>
    public class TensorThresholdTests
    {
        private static double[] Thresholds(LossKind kind) =>
            kind == LossKind.Huber ? new[] { 0.5, 1.0, 0.3, 2.0 } : new[] { 0.5, 0.0, 1.0 / 9, 2.0 };

        public static IEnumerable<object[]> Cases() =>
            from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
            from dtype in new[] { ScalarType.Float32, ScalarType.Float64 }
            from reduction in ParityTests.Reductions
            select new object[] { kind, dtype, reduction };

        private static (Tensor Input, Tensor Target) Boxes(ScalarType dtype)
        {
            var input = Inputs.Uniform(new long[] { 9, 4 }, dtype, 1.0, 1);
            var target = Inputs.Uniform(new long[] { 9, 4 }, dtype, 1.0, 2);
            // One exact zero difference per column, where the β = 0 (L1) column must have gradient 0.
            target[0] = input[0];
            return (input, target);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Equals_each_column_with_its_scalar_threshold(LossKind kind, ScalarType dtype, nn.Reduction reduction)
        {
            using var scope = NewDisposeScope();
            var (input, target) = Boxes(dtype);
            var thresholds = Thresholds(kind).Select(value => Inputs.Representable(value, dtype)).ToArray();
            var thresholdTensor = Inputs.Of(dtype, thresholds);
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(new long[] { 9, 4 }, dtype, 1.0, 3) : null;

            var ours = Evaluation.Of((x, t) => Losses.Ours(kind, x, t, thresholdTensor, reduction), input, target, upstream);
            // Column by column with scalar thresholds, elementwise, then reduced the same way.
            var perColumn = Evaluation.Of((x, t) =>
            {
                var columns = Enumerable.Range(0, 4)
                    .Select(j => Losses.Ours(kind, x.select(1, j), t.select(1, j), thresholds[j], nn.Reduction.None))
                    .ToArray();
                var elementwise = stack(columns, 1);
                return reduction switch
                {
                    nn.Reduction.Mean => elementwise.mean(),
                    nn.Reduction.Sum => elementwise.sum(),
                    _ => elementwise,
                };
            }, input, target, upstream);

            Assert.True(Difference.Between(ours.Value, perColumn.Value).Bitwise, $"value: {Difference.Between(ours.Value, perColumn.Value)}");
            // Equal values, though not always equal zero signs: autograd accumulates the four columns' gradients into the
            // reference leaf by addition, and −0 + +0 = +0. MaxUlps counts ±0 as equal; any other difference fails.
            Assert.True(Difference.Between(ours.InputGradient, perColumn.InputGradient).MaxUlps == 0, $"input gradient: {Difference.Between(ours.InputGradient, perColumn.InputGradient)}");
            Assert.True(Difference.Between(ours.TargetGradient, perColumn.TargetGradient).MaxUlps == 0, $"target gradient: {Difference.Between(ours.TargetGradient, perColumn.TargetGradient)}");
        }

        [Theory]
        [InlineData(ScalarType.Float32)]
        [InlineData(ScalarType.Float64)]
        public void Each_column_matches_libtorch_and_beta_zero_columns_are_l1(ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var (input, target) = Boxes(dtype);
            var betas = Thresholds(LossKind.SmoothL1);
            var ours = Evaluation.Of((x, t) => functional.smooth_l1_loss(x, t, Inputs.Of(dtype, betas), nn.Reduction.Sum), input, target);
            var values = Losses.Ours(LossKind.SmoothL1, input, target, Inputs.Of(dtype, betas), nn.Reduction.None);
            for (int j = 0; j < 4; j++)
            {
                var x = input.select(1, j);
                var t = target.select(1, j);
                var reference = betas[j] == 0
                    ? Evaluation.Of((a, b) => nn.functional.l1_loss(a, b, nn.Reduction.Sum), x, t)
                    : Evaluation.Of((a, b) => nn.functional.smooth_l1_loss(a, b, nn.Reduction.Sum, betas[j]), x, t);
                var referenceValues = betas[j] == 0
                    ? nn.functional.l1_loss(x, t, nn.Reduction.None)
                    : nn.functional.smooth_l1_loss(x, t, nn.Reduction.None, betas[j]);
                long allowed = betas[j] == 1.0 / 9 ? 2 : 0; // Smooth L1 at a β that is not a power of two: see docs/parity.md
                Assert.True(Difference.Between(values.select(1, j), referenceValues).MaxUlps <= allowed);
                Assert.True(Difference.Between(ours.InputGradient.select(1, j), reference.InputGradient).MaxUlps <= allowed);
            }
            // The L1 column: gradient sign(x), 0 where input equals target (row 0).
            var l1Gradient = HostValues.Of(ours.InputGradient.select(1, 1));
            var difference = HostValues.Of(input.select(1, 1).sub(target.select(1, 1)));
            Assert.Equal(0.0, l1Gradient[0]);
            Assert.Equal(difference.Select(d => (double)Math.Sign(d)), l1Gradient);
        }

        [Fact]
        public void All_zero_beta_is_l1_everywhere()
        {
            using var scope = NewDisposeScope();
            var (input, target) = Boxes(ScalarType.Float32);
            var ours = Evaluation.Of((x, t) => functional.smooth_l1_loss(x, t, zeros(4, ScalarType.Float32)), input, target);
            var reference = Evaluation.Of((x, t) => nn.functional.l1_loss(x, t), input, target);
            Assert.True(Difference.Between(ours.Value, reference.Value).Bitwise);
            Assert.True(Difference.Between(ours.InputGradient, reference.InputGradient).Bitwise);
        }

        [Fact]
        public void A_float64_threshold_with_float32_input_is_converted()
        {
            using var scope = NewDisposeScope();
            var (input, target) = Boxes(ScalarType.Float32);
            var asFloat64 = functional.huber_loss(input, target, Inputs.Of(ScalarType.Float64, 0.5, 1.0, 0.25, 2.0), nn.Reduction.None);
            var asFloat32 = functional.huber_loss(input, target, Inputs.Of(ScalarType.Float32, 0.5, 1.0, 0.25, 2.0), nn.Reduction.None);
            Assert.Equal(ScalarType.Float32, asFloat64.dtype);
            Assert.True(Difference.Between(asFloat64, asFloat32).Bitwise);
        }

        [Theory]
        [InlineData(LossKind.Huber, 0.0)]
        [InlineData(LossKind.Huber, -1.0)]
        [InlineData(LossKind.Huber, double.NaN)]
        [InlineData(LossKind.SmoothL1, -0.5)]
        [InlineData(LossKind.SmoothL1, double.NaN)]
        public void An_invalid_entry_throws_on_the_cpu(LossKind kind, double bad)
        {
            using var scope = NewDisposeScope();
            var (input, target) = Boxes(ScalarType.Float32);
            var thresholds = Inputs.Of(ScalarType.Float32, 0.5, bad, 1.0, 2.0);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => Losses.Ours(kind, input, target, thresholds, nn.Reduction.Mean));
            Assert.Equal(kind == LossKind.Huber ? "delta" : "beta", error.ParamName);
        }

        [Fact]
        public void A_threshold_that_does_not_broadcast_names_both_shapes()
        {
            using var scope = NewDisposeScope();
            var (input, target) = Boxes(ScalarType.Float32);
            var error = Assert.Throws<ArgumentException>(() => functional.huber_loss(input, target, ones(3, ScalarType.Float32)));
            Assert.Equal("delta", error.ParamName);
            Assert.Contains("torch.Size([3])", error.Message);
            Assert.Contains("torch.Size([9, 4])", error.Message);
        }

        [Theory]
        [InlineData(LossKind.Huber, true)]
        [InlineData(LossKind.Huber, false)]
        [InlineData(LossKind.SmoothL1, true)]
        [InlineData(LossKind.SmoothL1, false)]
        public void A_threshold_that_requires_grad_is_still_a_constant(LossKind kind, bool inputRequiresGrad)
        {
            using var scope = NewDisposeScope();
            var (input, target) = Boxes(ScalarType.Float64);
            input.requires_grad_(inputRequiresGrad);
            var thresholds = Inputs.Of(ScalarType.Float64, 0.5, 1.0, 0.25, 2.0).requires_grad_(true);
            var loss = Losses.Ours(kind, input, target, thresholds, nn.Reduction.Sum);
            // δ and β are constants, as in PyTorch: the loss depends on the threshold only through input's graph.
            Assert.Equal(inputRequiresGrad, loss.requires_grad);
            if (inputRequiresGrad)
                loss.backward();
            Assert.Null(thresholds.grad);
        }

        [Fact]
        public void An_integer_threshold_tensor_is_refused()
        {
            using var scope = NewDisposeScope();
            var (input, target) = Boxes(ScalarType.Float32);
            var error = Assert.Throws<ArgumentException>(() => functional.smooth_l1_loss(input, target, ones(4, ScalarType.Int64)));
            Assert.Equal("beta", error.ParamName);
            Assert.Contains("Int64", error.Message);
        }
    }
}
