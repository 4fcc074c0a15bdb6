using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>Empty inputs reduce like libtorch's: None → empty, Mean → NaN (0/0), Sum → 0; gradients are empty.</summary>
    public class EmptyInputTests
    {
        public static readonly TheoryData<LossKind, ScalarType> Kinds = new()
        {
            { LossKind.Huber, ScalarType.Float32 }, { LossKind.Huber, ScalarType.Float64 }, { LossKind.Huber, ScalarType.Float16 },
            { LossKind.SmoothL1, ScalarType.Float32 }, { LossKind.SmoothL1, ScalarType.Float64 }, { LossKind.SmoothL1, ScalarType.BFloat16 },
        };

        private static (Tensor Input, Tensor Target) Empty(ScalarType dtype) =>
            (Inputs.Uniform(new long[] { 0, 4 }, dtype, 1.0, 1), Inputs.Uniform(new long[] { 0, 4 }, dtype, 1.0, 2));

        [Theory]
        [MemberData(nameof(Kinds))]
        public void None_gives_an_empty_tensor_of_the_input_shape(LossKind kind, ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var (input, target) = Empty(dtype);
            var result = Evaluation.Of((x, t) => Losses.Ours(kind, x, t, 1.0, nn.Reduction.None), input, target, Inputs.Uniform(new long[] { 0, 4 }, dtype, 1.0, 3));
            Assert.Equal(new long[] { 0, 4 }, result.Value.shape);
            Assert.Equal(dtype, result.Value.dtype);
            Assert.Equal(new long[] { 0, 4 }, result.InputGradient.shape);
            Assert.Equal(new long[] { 0, 4 }, result.TargetGradient.shape);
        }

        [Theory]
        [MemberData(nameof(Kinds))]
        public void Mean_is_NaN_like_libtorch(LossKind kind, ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var (input, target) = Empty(dtype);
            var ours = Evaluation.Of((x, t) => Losses.Ours(kind, x, t, 1.0, nn.Reduction.Mean), input, target);
            var reference = Losses.Libtorch(kind, input, target, 1.0, nn.Reduction.Mean);
            Assert.Empty(ours.Value.shape);
            Assert.True(double.IsNaN(HostValues.Scalar(ours.Value)));
            Assert.True(double.IsNaN(HostValues.Scalar(reference)));
            Assert.Equal(new long[] { 0, 4 }, ours.InputGradient.shape);
        }

        [Theory]
        [MemberData(nameof(Kinds))]
        public void Sum_is_zero_like_libtorch(LossKind kind, ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var (input, target) = Empty(dtype);
            var ours = Evaluation.Of((x, t) => Losses.Ours(kind, x, t, 1.0, nn.Reduction.Sum), input, target);
            var reference = Losses.Libtorch(kind, input, target, 1.0, nn.Reduction.Sum);
            Assert.Empty(ours.Value.shape);
            Assert.Equal(0.0, HostValues.Scalar(ours.Value));
            Assert.True(Difference.Between(ours.Value, reference).Bitwise);
            Assert.Equal(new long[] { 0, 4 }, ours.TargetGradient.shape);
        }

        [Fact]
        public void Empty_broadcast_with_a_full_tensor_is_empty()
        {
            using var scope = NewDisposeScope();
            // [0, 1] against [3]: the loss has shape [0, 3]; the target's gradient sums over nothing, so it is all zeros.
            var input = Inputs.Uniform(new long[] { 0, 1 }, ScalarType.Float64, 1.0, 1);
            var target = Inputs.Uniform(new long[] { 3 }, ScalarType.Float64, 1.0, 2);
            var ours = Evaluation.Of((x, t) => Losses.Ours(LossKind.Huber, x, t, 1.0, nn.Reduction.Sum), input, target);
            var reference = Evaluation.Of((x, t) => Losses.Libtorch(LossKind.Huber, x, t, 1.0, nn.Reduction.Sum), input, target);
            ours.AssertBitwise(reference);
            Assert.Equal(new[] { 0.0, 0.0, 0.0 }, HostValues.Of(ours.TargetGradient));
        }
    }
}
