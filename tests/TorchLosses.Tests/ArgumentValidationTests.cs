using System;
using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>Bad arguments become managed exceptions that name the argument (and the offending shapes or dtype) before libtorch sees them.</summary>
    public class ArgumentValidationTests
    {
        private static Tensor Float32(params long[] shape) => Inputs.Uniform(shape, ScalarType.Float32, 1.0, 1);

        [Theory]
        [InlineData(0.0)]
        [InlineData(-1.0)]
        [InlineData(double.NaN)]
        [InlineData(double.NegativeInfinity)]
        public void Delta_must_be_positive(double delta)
        {
            using var scope = NewDisposeScope();
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => functional.huber_loss(Float32(3), Float32(3), delta));
            Assert.Equal("delta", error.ParamName);
            Assert.Equal("delta", Assert.Throws<ArgumentOutOfRangeException>(() => new HuberLoss(delta)).ParamName);
        }

        [Theory]
        [InlineData(-1e-300)]
        [InlineData(-1.0)]
        [InlineData(double.NaN)]
        [InlineData(double.NegativeInfinity)]
        public void Beta_must_be_non_negative(double beta)
        {
            using var scope = NewDisposeScope();
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => functional.smooth_l1_loss(Float32(3), Float32(3), beta: beta));
            Assert.Equal("beta", error.ParamName);
            Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new SmoothL1Loss(beta: beta)).ParamName);
        }

        [Fact]
        public void Infinite_threshold_is_accepted_as_pure_quadratic()
        {
            using var scope = NewDisposeScope();
            var input = Float32(7);
            var target = Inputs.Uniform(new long[] { 7 }, ScalarType.Float32, 1.0, 2);
            var huber = functional.huber_loss(input, target, double.PositiveInfinity, nn.Reduction.None);
            Assert.True(Difference.Between(huber, nn.functional.huber_loss(input, target, double.PositiveInfinity, nn.Reduction.None)).Bitwise);
        }

        [Theory]
        [InlineData(LossKind.Huber)]
        [InlineData(LossKind.SmoothL1)]
        public void Shapes_that_do_not_broadcast_name_both_shapes(LossKind kind)
        {
            using var scope = NewDisposeScope();
            var error = Assert.Throws<ArgumentException>(() => Losses.Ours(kind, Float32(2, 3), Float32(4), 1.0, nn.Reduction.Mean));
            Assert.Equal("target", error.ParamName);
            Assert.Contains("torch.Size([2, 3])", error.Message);
            Assert.Contains("torch.Size([4])", error.Message);
        }

        [Theory]
        [InlineData(ScalarType.ComplexFloat32)]
        [InlineData(ScalarType.ComplexFloat64)]
        public void Complex_dtypes_are_refused_naming_the_argument_and_the_dtype(ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var bad = zeros(3, dtype);
            var asInput = Assert.Throws<ArgumentException>(() => functional.huber_loss(bad, Float32(3)));
            Assert.Equal("input", asInput.ParamName);
            Assert.Contains(dtype.ToString(), asInput.Message);
            var asTarget = Assert.Throws<ArgumentException>(() => functional.smooth_l1_loss(Float32(3), bad));
            Assert.Equal("target", asTarget.ParamName);
            Assert.Contains(dtype.ToString(), asTarget.Message);
            var asWeight = Assert.Throws<ArgumentException>(() => functional.huber_loss(Float32(3), Float32(3), weight: bad));
            Assert.Equal("weight", asWeight.ParamName);
            Assert.Contains(dtype.ToString(), asWeight.Message);
        }

        /// <summary>
        /// Integer targets are promoted (MixedDtypeTests); what libtorch refuses is refused with a managed exception: an integer
        /// input for huber_loss (its loss has input's dtype), integer input and target for smooth_l1_loss, an integer weight.
        /// </summary>
        [Theory]
        [InlineData(ScalarType.Int32)]
        [InlineData(ScalarType.Int64)]
        [InlineData(ScalarType.Byte)]
        [InlineData(ScalarType.Bool)]
        public void What_libtorch_refuses_for_integer_dtypes_is_refused_naming_the_argument(ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var integer = zeros(3, dtype);
            var asHuberInput = Assert.Throws<ArgumentException>(() => functional.huber_loss(integer, Float32(3)));
            Assert.Equal("input", asHuberInput.ParamName);
            Assert.Contains(dtype.ToString(), asHuberInput.Message);
            var both = Assert.Throws<ArgumentException>(() => functional.smooth_l1_loss(integer, zeros(3, dtype)));
            Assert.Equal("input", both.ParamName);
            Assert.Contains(dtype.ToString(), both.Message);
            var asWeight = Assert.Throws<ArgumentException>(() => functional.huber_loss(Float32(3), Float32(3), weight: integer));
            Assert.Equal("weight", asWeight.ParamName);
            Assert.Contains(dtype.ToString(), asWeight.Message);
        }

        [Fact]
        public void A_weight_that_does_not_broadcast_names_both_shapes()
        {
            using var scope = NewDisposeScope();
            var error = Assert.Throws<ArgumentException>(() => functional.smooth_l1_loss(Float32(5, 4), Float32(5, 4), weight: Float32(5)));
            Assert.Equal("weight", error.ParamName);
            Assert.Contains("torch.Size([5])", error.Message);
            Assert.Contains("torch.Size([5, 4])", error.Message);
        }

        [Fact]
        public void A_weight_that_would_enlarge_the_loss_is_refused()
        {
            using var scope = NewDisposeScope();
            // [3, 5, 4] broadcasts with [5, 4] but would make the loss larger than the broadcast of input and target.
            var error = Assert.Throws<ArgumentException>(() => functional.huber_loss(Float32(5, 4), Float32(5, 4), weight: Float32(3, 5, 4)));
            Assert.Equal("weight", error.ParamName);
            Assert.Contains("torch.Size([3, 5, 4])", error.Message);
        }

        [Fact]
        public void Null_tensors_are_argument_null_exceptions()
        {
            using var scope = NewDisposeScope();
            Assert.Equal("input", Assert.Throws<ArgumentNullException>(() => functional.huber_loss(null!, Float32(3))).ParamName);
            Assert.Equal("target", Assert.Throws<ArgumentNullException>(() => functional.smooth_l1_loss(Float32(3), null!)).ParamName);
            Assert.Equal("delta", Assert.Throws<ArgumentNullException>(() => functional.huber_loss(Float32(3), Float32(3), (Tensor)null!)).ParamName);
            Assert.Equal("beta", Assert.Throws<ArgumentNullException>(() => functional.smooth_l1_loss(Float32(3), Float32(3), (Tensor)null!)).ParamName);
        }
    }
}
