using System;
using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// The normaliser as a 0-d tensor (a count computed on the device, passed without <c>item()</c>): the same bits as the
    /// same number, in values and first and second order, in the vector form and the composed ops; a constant (no gradient
    /// flows into it); refused clearly when it is not one number, not positive, or used without Mean.
    /// </summary>
    public class TensorNormalizerTests
    {
        public static IEnumerable<object[]> Cases() =>
            from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
            from dtype in new[] { ScalarType.Float32, ScalarType.Float64, ScalarType.Int64 }
            from layout in new[] { "same-shape", "broadcast-target", "weighted" }
            select new object[] { kind, dtype, layout };

        [Theory]
        [MemberData(nameof(Cases))]
        public void A_tensor_normaliser_gives_the_bits_of_the_same_number(LossKind kind, ScalarType normalizerDtype, string layout)
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 32, 4 }, ScalarType.Float32, 2.0, 1);
            var target = Inputs.Uniform(layout == "broadcast-target" ? new long[] { 1, 4 } : new long[] { 32, 4 }, ScalarType.Float32, 1.0, 2);
            var weight = layout == "weighted" ? Inputs.Uniform(new long[] { 4 }, ScalarType.Float32, 1.0, 3).abs() : null;
            const double count = 37;
            var asTensor = tensor(count, ScalarType.Float64).to(normalizerDtype);
            Tensor Loss(Tensor i, Tensor t, LossNormalizer normalizer) => kind == LossKind.Huber
                ? functional.huber_loss(i, t, 1.0, nn.Reduction.Mean, weight, normalizer)
                : functional.smooth_l1_loss(i, t, nn.Reduction.Mean, 1.0 / 9, weight, normalizer);

            var withNumber = Gradients.Of(l => Loss(l[0], l[1], count), new[] { input, target });
            var withTensor = Gradients.Of(l => Loss(l[0], l[1], asTensor), new[] { input, target });
            Assert.True(Difference.Between(withTensor.Value, withNumber.Value).Bitwise, Difference.Between(withTensor.Value, withNumber.Value).ToString());
            for (int k = 0; k < 2; k++)
                Assert.True(Difference.Between(withTensor.OfLeaves[k], withNumber.OfLeaves[k]).Bitwise, $"leaf {k}");

            // Second order: the Hessian-vector product with the tensor equals the one with the number.
            Tensor HessianVector(LossNormalizer normalizer)
            {
                var x = input.detach().requires_grad_(true);
                var first = autograd.grad(new[] { Loss(x, target, normalizer) }, new[] { x }, retain_graph: true, create_graph: true)[0];
                Assert.True(first.requires_grad, "the first-order gradient carries a graph");
                var direction = Inputs.Uniform(new long[] { 32, 4 }, ScalarType.Float32, 1.0, 9);
                return autograd.grad(new[] { first.mul(direction).sum() }, new[] { x })[0];
            }
            Assert.True(Difference.Between(HessianVector(asTensor), HessianVector(count)).Bitwise);
        }

        [Fact]
        public void A_normaliser_that_requires_grad_is_a_constant()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float32, 2.0, 1).requires_grad_(true);
            var target = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float32, 1.0, 2);
            var normalizer = tensor(5.0f).requires_grad_(true);
            functional.huber_loss(input, target, normalizer: normalizer).backward();
            Assert.NotNull(input.grad);
            Assert.Null(normalizer.grad);
        }

        [Fact]
        public void The_module_takes_a_tensor_normaliser()
        {
            using var scope = NewDisposeScope();
            using var loss = new SmoothL1Loss(nn.Reduction.Mean, 0.5);
            var input = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float64, 2.0, 1);
            var target = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float64, 1.0, 2);
            var expected = functional.smooth_l1_loss(input, target, nn.Reduction.Sum, 0.5).div(tensor(3.0));
            Assert.True(Difference.Between(loss.forward(input, target, null, tensor(3.0)), expected).MaxUlps <= 1);
        }

        [Fact]
        public void A_normaliser_that_is_not_one_number_is_refused_naming_its_shape()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float32, 2.0, 1);
            var error = Assert.Throws<ArgumentException>(() => functional.huber_loss(input, input, normalizer: tensor(new[] { 3.0f })));
            Assert.Equal("normalizer", error.ParamName);
            Assert.Contains("0-d", error.Message);
            Assert.Contains("torch.Size([1])", error.Message);
        }

        [Theory]
        [InlineData(0.0)]
        [InlineData(-2.0)]
        [InlineData(double.NaN)]
        [InlineData(double.PositiveInfinity)]
        public void A_tensor_normaliser_that_is_not_positive_and_finite_is_refused_on_the_cpu(double value)
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float32, 2.0, 1);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => functional.smooth_l1_loss(input, input, normalizer: tensor(value)));
            Assert.Equal("normalizer", error.ParamName);
        }

        [Fact]
        public void A_tensor_normaliser_needs_mean()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float32, 2.0, 1);
            var error = Assert.Throws<ArgumentException>(() => functional.huber_loss(input, input, 1.0, nn.Reduction.Sum, normalizer: tensor(4.0f)));
            Assert.Equal("normalizer", error.ParamName);
        }
    }
}
