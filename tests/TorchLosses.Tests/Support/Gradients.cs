using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Support
{
    /// <summary>A value and the gradient autograd gave each of several leaves.</summary>
    internal readonly record struct Gradients(Tensor Value, Tensor[] OfLeaves)
    {
        /// <summary>
        /// Runs <paramref name="function"/> on fresh leaves sharing the storage of <paramref name="leaves"/>, then backward
        /// with <paramref name="upstream"/> (null: the implicit 1 of a scalar).
        /// </summary>
        public static Gradients Of(Func<Tensor[], Tensor> function, Tensor[] leaves, Tensor? upstream = null)
        {
            var fresh = leaves.Select(leaf => leaf.detach().requires_grad_(true)).ToArray();
            var value = function(fresh);
            value.backward(upstream is null ? null : new[] { upstream });
            return new Gradients(value.detach(),
                fresh.Select(leaf => leaf.grad ?? throw new InvalidOperationException("a leaf received no gradient")).ToArray());
        }
    }
}
