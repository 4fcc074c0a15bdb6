using System;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Support
{
    /// <summary>A loss value and the gradients autograd gave its input and target.</summary>
    internal readonly record struct Evaluation(Tensor Value, Tensor InputGradient, Tensor TargetGradient)
    {
        /// <summary>
        /// Runs <paramref name="loss"/> on fresh leaves that share the storage and strides of <paramref name="input"/> and
        /// <paramref name="target"/> (so non-contiguous inputs stay non-contiguous), then backward with
        /// <paramref name="upstream"/> (null: the implicit 1 of a scalar loss).
        /// </summary>
        public static Evaluation Of(Func<Tensor, Tensor, Tensor> loss, Tensor input, Tensor target, Tensor? upstream = null)
        {
            var x = input.detach().requires_grad_(true);
            var t = target.detach().requires_grad_(true);
            var value = loss(x, t);
            value.backward(upstream is null ? null : new[] { upstream });
            return new Evaluation(value.detach(),
                x.grad ?? throw new InvalidOperationException("input received no gradient"),
                t.grad ?? throw new InvalidOperationException("target received no gradient"));
        }

        /// <summary>Asserts that the value and both gradients are the same bits as <paramref name="reference"/>'s, naming any that differs.</summary>
        public void AssertBitwise(Evaluation reference)
        {
            foreach (var (what, ours, theirs) in new[]
            {
                ("value", Value, reference.Value),
                ("input gradient", InputGradient, reference.InputGradient),
                ("target gradient", TargetGradient, reference.TargetGradient),
            })
            {
                var difference = Difference.Between(ours, theirs);
                Assert.True(difference.Bitwise, $"{what}: {difference}");
            }
        }
    }
}
