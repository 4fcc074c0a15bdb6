using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>The one entry point behind <see cref="functional"/> and the modules: checks, then computes.</summary>
    internal static class RobustLoss
    {
        /// <summary>
        /// Whether libtorch's own autograd records the composed ops (<see cref="RobustLossKernel.Recorded"/>) instead of the
        /// custom function: on the CPU in float32/float64, where Mean is exactly sum().div_(N) (libtorch's own CPU mean), so
        /// the recorded backward is one multiply, like the custom function's, without its fixed managed cost and without the
        /// copy libtorch's AccumulateGrad makes of a gradient still referenced by a managed handle.
        /// Elsewhere (CUDA, half types) autograd's mean backward would materialise grad/N first: the custom function runs.
        /// </summary>
        private static bool Recordable(Tensor input) =>
            input.device_type == DeviceType.CPU && input.dtype is ScalarType.Float32 or ScalarType.Float64;

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
            // δ and β are constants, as in PyTorch: detached, so that a threshold tensor which requires grad neither
            // makes the loss require grad nor receives a gradient through the composed ops.
            var checkedThreshold = thresholdTensor is null ? null : ThresholdValues.Checked(thresholdTensor.detach(), thresholdName, kind, input);
            var loss = VectorizedCpuPath.Applies(input, target, weight, checkedThreshold, call)
                ? VectorizedCpuPath.Compute(input, target, weight, call)
                : !call.AnyGradient
                ? RobustLossKernel.Forward(input, target, weight, checkedThreshold, call).Loss
                : Recordable(input)
                    ? RobustLossKernel.Recorded(input, target, weight, checkedThreshold, call)
                    : RobustLossFunction.apply(input, target, weight, checkedThreshold, call);
            return loss.MoveToOuterDisposeScope();
        }
    }
}
