using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Support
{
    /// <summary>
    /// First-order gradients taken with <c>create_graph</c>, and the second derivatives autograd then gives through them:
    /// <c>Directional[k][j]</c> = ∂/∂(leaf j) of (FirstOrder[k] · direction k).sum(), a Hessian-vector product. Leaf j
    /// ranges over the loss's leaves and, when it requires grad, the upstream gradient (grad_outputs) of reduction None.
    /// An entry is null where autograd found no path (an undefined gradient).
    /// </summary>
    internal sealed record SecondOrder(Tensor Value, Tensor[] FirstOrder, Tensor?[][] Directional, string[] Names)
    {
        /// <summary>
        /// <c>torch.autograd.grad</c> with <c>retain_graph</c> and <c>allow_unused</c>; null where a gradient is undefined.
        /// In TorchSharp 0.107 any libtorch error inside <c>grad</c> (an output without a graph, an unused input without
        /// allow_unused, a freed graph) aborts the process, so each output's graph is asserted first: a missing graph
        /// fails the test instead of killing the test host.
        /// </summary>
        public static Tensor?[] Grad(Tensor[] outputs, Tensor[] inputs, Tensor[]? gradOutputs, bool createGraph, string what)
        {
            foreach (var output in outputs)
                Assert.True(output.requires_grad, $"{what} has no graph (requires_grad is false): no second-order gradient can flow through it");
            // TorchSharp 0.107 does not accept null grad_outputs: the implicit 1 of a scalar output is written out.
            gradOutputs ??= outputs.Select(output => ones_like(output)).ToArray();
            var results = autograd.grad(outputs, inputs, gradOutputs, retain_graph: true, create_graph: createGraph, allow_unused: true);
            return results.Select(result => result.IsInvalid ? null : result).ToArray();
        }

        /// <summary>
        /// Runs <paramref name="loss"/> on fresh leaves sharing the storage of <paramref name="leaves"/>, takes every leaf's
        /// gradient with <c>create_graph</c> (with <paramref name="upstream"/> as grad_outputs, null for the implicit 1 of a
        /// reduced loss), then one second-order <c>grad</c> per first-order gradient, along <paramref name="directions"/>[k].
        /// </summary>
        public static SecondOrder Of(Func<Tensor[], Tensor> loss, Tensor[] leaves, string[] leafNames, Tensor[] directions,
            Tensor? upstream = null, bool upstreamRequiresGrad = false)
        {
            var fresh = leaves.Select(leaf => leaf.detach().requires_grad_(true)).ToArray();
            upstreamRequiresGrad &= upstream is not null;
            var gradOutput = upstream?.detach().requires_grad_(upstreamRequiresGrad);
            var value = loss(fresh);
            var first = Grad(new[] { value }, fresh, gradOutput is null ? null : new[] { gradOutput }, createGraph: true, "the loss");
            for (int k = 0; k < first.Length; k++)
                Assert.True(first[k] is not null, $"{leafNames[k]} received no first-order gradient");

            var differentiated = upstreamRequiresGrad ? fresh.Append(gradOutput!).ToArray() : fresh;
            var names = upstreamRequiresGrad ? leafNames.Append("upstream").ToArray() : leafNames;
            var directional = new Tensor?[first.Length][];
            for (int k = 0; k < first.Length; k++)
            {
                var projected = first[k]!.mul(directions[k]).sum();
                directional[k] = Grad(new[] { projected }, differentiated, null, createGraph: false,
                    $"the first-order gradient of {leafNames[k]} (taken with create_graph)");
            }
            return new SecondOrder(value.detach(), first.Select(g => g!.detach()).ToArray(), directional, names);
        }
    }
}
