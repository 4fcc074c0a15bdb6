using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>Which tensors get gradients, and what happens with autograd off.</summary>
    public class AutogradBehaviourTests
    {
        [Fact]
        public void Only_the_target_requires_grad()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 6, 4 }, ScalarType.Float64, 1.0, 1);
            var target = Inputs.Uniform(new long[] { 6, 4 }, ScalarType.Float64, 1.0, 2).requires_grad_(true);
            functional.huber_loss(input, target, 0.5).backward();
            var reference = Evaluation.Of((x, t) => nn.functional.huber_loss(x, t, 0.5), input, target);
            Assert.True(Difference.Between(target.grad!, reference.TargetGradient).Bitwise);
            Assert.Null(input.grad);
        }

        [Fact]
        public void Only_the_weight_requires_grad()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 6, 4 }, ScalarType.Float64, 1.0, 1);
            var target = Inputs.Uniform(new long[] { 6, 4 }, ScalarType.Float64, 1.0, 2);
            var weight = Inputs.Uniform(new long[] { 4 }, ScalarType.Float64, 1.0, 3).requires_grad_(true);
            functional.smooth_l1_loss(input, target, nn.Reduction.Sum, 0.5, weight).backward();
            var expected = nn.functional.smooth_l1_loss(input, target, nn.Reduction.None, 0.5).sum(new long[] { 0 });
            Assert.True(Difference.Between(weight.grad!, expected).MaxUlps <= 1);
            Assert.Null(input.grad);
        }

        [Fact]
        public void Under_no_grad_the_result_has_no_graph()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 6, 4 }, ScalarType.Float32, 1.0, 1).requires_grad_(true);
            var target = Inputs.Uniform(new long[] { 6, 4 }, ScalarType.Float32, 1.0, 2);
            using (no_grad())
            {
                var loss = functional.huber_loss(input, target);
                Assert.False(loss.requires_grad);
                Assert.True(Difference.Between(loss, nn.functional.huber_loss(input.detach(), target)).Bitwise);
            }
        }

        [Fact]
        public void A_weight_of_another_floating_dtype_gets_a_gradient_of_its_own_dtype()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 6, 4 }, ScalarType.Float32, 1.0, 1).requires_grad_(true);
            var target = Inputs.Uniform(new long[] { 6, 4 }, ScalarType.Float32, 1.0, 2);
            var weight = Inputs.Uniform(new long[] { 4 }, ScalarType.Float64, 1.0, 3).requires_grad_(true);
            var loss = functional.huber_loss(input, target, weight: weight);
            loss.backward();
            Assert.Equal(ScalarType.Float64, weight.grad!.dtype);
            Assert.Equal(ScalarType.Float32, input.grad!.dtype);
        }
    }
}
