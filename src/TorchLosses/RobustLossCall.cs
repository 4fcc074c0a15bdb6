using TorchSharp;

namespace TorchLosses
{
    /// <summary>
    /// Everything one call of a robust loss needs besides its tensors. It travels through
    /// <c>apply(...)</c> and <c>ctx.save_data</c>, never through fields: TorchSharp keeps one static instance of
    /// each autograd Function type, shared by every call on every thread.
    /// </summary>
    /// <param name="Kind">Huber or Smooth L1.</param>
    /// <param name="Threshold">δ or β when it is one number; ignored when a threshold tensor is passed.</param>
    /// <param name="Reduction">None, Mean or Sum.</param>
    /// <param name="Normalizer">When set, Mean divides the sum by it instead of by the element count.</param>
    /// <param name="Shapes">The shapes read by the argument checks, reused by backward.</param>
    /// <param name="InputRequiresGrad">Recorded in forward: TorchSharp has no <c>needs_input_grad</c>.</param>
    /// <param name="TargetRequiresGrad">Recorded in forward.</param>
    /// <param name="WeightRequiresGrad">Recorded in forward.</param>
    internal sealed record RobustLossCall(
        RobustLossKind Kind,
        double Threshold,
        torch.nn.Reduction Reduction,
        double? Normalizer,
        RobustLossShapes Shapes,
        bool InputRequiresGrad,
        bool TargetRequiresGrad,
        bool WeightRequiresGrad)
    {
        /// <summary>Whether backward will be asked for any gradient.</summary>
        public bool AnyGradient => InputRequiresGrad || TargetRequiresGrad || WeightRequiresGrad;

        /// <summary>What Mean divides the summed loss by: the normaliser when there is one, else the element count.</summary>
        public double MeanDivisor => Normalizer ?? Shapes.ElementCount;

        /// <summary>Smooth L1 with the one number β = 0, which is exactly L1 (a threshold tensor leaves Threshold NaN).</summary>
        public bool IsL1 => Kind == RobustLossKind.SmoothL1 && Threshold == 0;
    }
}
