using System;
using TorchLosses.Validation;
using TorchSharp;

namespace TorchLosses.Engine
{
    /// <summary>
    /// Everything one call of a loss needs besides its tensors. It travels through <c>apply(...)</c> and
    /// <c>ctx.save_data</c>, never through fields: TorchSharp keeps one static instance of each autograd Function type,
    /// shared by every call on every thread.
    /// </summary>
    /// <typeparam name="TLoss">The loss definition.</typeparam>
    /// <param name="Loss">The definition with its parameters, prepared for this call's dtype and device.</param>
    /// <param name="Reduction">None, Mean or Sum.</param>
    /// <param name="Normalizer">When set, Mean divides the sum by it instead of by the element count (a number, or a 0-d tensor of the loss's dtype).</param>
    /// <param name="Shapes">The shapes read by the argument checks, reused by backward.</param>
    /// <param name="InputRequiresGrad">Recorded in forward: TorchSharp has no <c>needs_input_grad</c>.</param>
    /// <param name="TargetRequiresGrad">Recorded in forward.</param>
    /// <param name="WeightRequiresGrad">Recorded in forward.</param>
    /// <param name="ParameterRequiresGrad">Recorded in forward: for each of the definition's parameter tensors, whether it needs a gradient.</param>
    /// <param name="Vectorized">Whether the vector form computes the values and first-order gradients (see <see cref="LossEngine"/>).</param>
    /// <param name="BackwardFault">Tests only: runs at the start of backward, to prove that a failure there cannot end the process.</param>
    internal sealed record LossCall<TLoss>(
        TLoss Loss,
        torch.nn.Reduction Reduction,
        LossNormalizer? Normalizer,
        LossShapes Shapes,
        bool InputRequiresGrad,
        bool TargetRequiresGrad,
        bool WeightRequiresGrad,
        bool[] ParameterRequiresGrad,
        bool Vectorized,
        Action? BackwardFault)
        where TLoss : struct, IPointwiseLoss<TLoss>
    {
        /// <summary>Whether backward will be asked for any gradient.</summary>
        public bool AnyGradient => InputRequiresGrad || TargetRequiresGrad || WeightRequiresGrad || AnyParameterGradient;

        /// <summary>Whether a parameter tensor needs a gradient (then the parameter tensors are inputs of the node).</summary>
        public bool AnyParameterGradient => Array.IndexOf(ParameterRequiresGrad, true) >= 0;

        /// <summary>Whether input or target needs a gradient (both come from ρ′).</summary>
        public bool DifferenceGradient => InputRequiresGrad || TargetRequiresGrad;

        /// <summary>What Mean divides the summed loss by, as a number: the normaliser or the element count; null for a tensor normaliser.</summary>
        public double? NumericDivisor => Normalizer is { } normalizer ? normalizer.Number : Shapes.ElementCount;
    }
}
