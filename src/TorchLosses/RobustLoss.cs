using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>The one entry point behind <see cref="functional"/> and the modules: checks, then computes.</summary>
    internal static class RobustLoss
    {
        public static Tensor Compute(
            RobustLossKind kind, Tensor input, Tensor target, double threshold, Tensor? thresholdTensor, string thresholdName,
            nn.Reduction reduction, Tensor? weight, double? normalizer)
        {
            var shapes = ArgumentChecks.Tensors(input, target, weight);
            ArgumentChecks.Normalizer(normalizer, reduction);
            if (thresholdTensor is null)
                ArgumentChecks.Threshold(threshold, thresholdName, zeroAllowed: kind == RobustLossKind.SmoothL1);
            else
                ArgumentChecks.ThresholdTensor(thresholdTensor, thresholdName, input, shapes.Loss);

            bool gradEnabled = torch.is_grad_enabled();
            var call = new RobustLossCall(kind, threshold, reduction, normalizer, shapes,
                InputRequiresGrad: gradEnabled && input.requires_grad,
                TargetRequiresGrad: gradEnabled && target.requires_grad,
                WeightRequiresGrad: gradEnabled && weight is not null && weight.requires_grad);

            // Temporaries (the saved local gradient's managed handle among them) die with this scope; libtorch's saved
            // variable keeps its own reference, so only the result leaves.
            using var scope = torch.NewDisposeScope();
            var checkedThreshold = thresholdTensor is null ? null : ThresholdValues.Checked(thresholdTensor, thresholdName, kind, input);
            var loss = call.AnyGradient
                ? RobustLossFunction.apply(input, target, weight, checkedThreshold, call)
                : RobustLossKernel.Forward(input, target, weight, checkedThreshold, call).Loss;
            return loss.MoveToOuterDisposeScope();
        }
    }
}
