using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// The arithmetic of both losses, composed of TorchSharp tensor ops. With x = input − target and
    /// c = clamp(x, −τ, τ):
    /// Huber(x; δ) = c·(x − c/2) with gradient c; SmoothL1(x; β) = (x − c/2)·(c/β) with gradient c/β
    /// (exactly ±1 beyond β), and at β = 0 exactly |x| with gradient sign(x).
    /// These forms reproduce libtorch's fused kernels bit for bit for Huber (½·x·x inside, δ·(|x| − ½δ) outside)
    /// and for Smooth L1 with β a power of two; see the README for the ulp-level cases.
    /// Every op after the first subtraction is in place on tensors created here, never on the caller's.
    /// Every Scalar is created explicitly and kept alive across the native call (TorchSharp 0.107's implicit
    /// number-to-Scalar conversion can be finalized while libtorch still reads it).
    /// </summary>
    internal static class RobustLossKernel
    {
        /// <summary>What forward leaves for backward.</summary>
        /// <param name="Loss">The reduced (or elementwise) loss.</param>
        /// <param name="LocalGradient">∂loss_i/∂x_i, already multiplied by the weight; null when no input or target gradient is needed.</param>
        /// <param name="Unweighted">The elementwise loss before weighting, kept only when the weight needs a gradient.</param>
        internal readonly record struct ForwardResult(Tensor Loss, Tensor? LocalGradient, Tensor? Unweighted);

        public static ForwardResult Forward(Tensor input, Tensor target, Tensor? weight, Tensor? threshold, RobustLossCall call)
        {
            var elementwise = input.sub(target);
            var localGradient = threshold is null
                ? ScalarThresholdInPlace(elementwise, call)
                : TensorThresholdInPlace(elementwise, threshold, call.Kind);

            bool differenceGradient = call.InputRequiresGrad || call.TargetRequiresGrad;
            Tensor? unweighted = null;
            if (weight is not null)
            {
                if (call.WeightRequiresGrad)
                    unweighted = elementwise.clone();
                elementwise.mul_(weight);
                if (differenceGradient)
                    localGradient.mul_(weight);
            }
            return new ForwardResult(Reduce(elementwise, call), differenceGradient ? localGradient : null, unweighted);
        }

        /// <summary>Gradients for (input, target, weight), each summed back to that tensor's own shape; null where none is needed.</summary>
        public static (Tensor? Input, Tensor? Target, Tensor? Weight) Backward(
            Tensor gradOutput, Tensor? localGradient, Tensor? unweighted, RobustLossCall call)
        {
            var shapes = call.Shapes;
            var scale = gradOutput;
            if (call.Reduction == nn.Reduction.Mean)
            {
                // A 0-d op: the element count (or normaliser) folds into the incoming gradient before the one large multiply.
                using var inverseCount = (1.0 / (call.Normalizer ?? shapes.ElementCount)).ToScalar();
                scale = gradOutput.mul(inverseCount);
            }

            Tensor? gradInput = null, gradTarget = null, gradWeight = null;
            if (localGradient is not null)
            {
                var gradDifference = localGradient.mul(scale);
                if (call.InputRequiresGrad)
                    gradInput = Broadcasting.SumTo(gradDifference, shapes.Loss, shapes.Input);
                if (call.TargetRequiresGrad)
                    gradTarget = Broadcasting.SumTo(call.InputRequiresGrad ? gradDifference.neg() : gradDifference.neg_(), shapes.Loss, shapes.Target);
            }
            if (unweighted is not null && shapes.Weight is not null)
                gradWeight = Broadcasting.SumTo(unweighted.mul(scale), shapes.Loss, shapes.Weight);
            return (gradInput, gradTarget, gradWeight);
        }

        /// <summary>Turns x into the elementwise loss in place and returns the local gradient (a new tensor).</summary>
        private static Tensor ScalarThresholdInPlace(Tensor x, RobustLossCall call)
        {
            if (call.Kind == RobustLossKind.SmoothL1 && call.Threshold == 0)
            {
                // β = 0 is L1, as PyTorch documents it: |x|, with gradient sign(x) (0 at x = 0).
                var sign = x.sign();
                x.abs_();
                return sign;
            }
            using var upper = call.Threshold.ToScalar();
            using var lower = (-call.Threshold).ToScalar();
            using var minusHalf = (-0.5).ToScalar();
            var clamped = x.clamp(lower, upper);
            x.add_(clamped, minusHalf);           // x − c/2 (c/2 is exact, so one rounding, as libtorch's z − ½δ)
            if (call.Kind == RobustLossKind.SmoothL1)
                clamped.div_(upper);              // c/β: ±1 exactly beyond β
            x.mul_(clamped);
            return clamped;
        }

        private static Tensor TensorThresholdInPlace(Tensor x, Tensor threshold, RobustLossKind kind)
        {
            using var minusHalf = (-0.5).ToScalar();
            var clamped = x.clamp(threshold.neg(), threshold);
            Tensor? sign = null, isZero = null;
            if (kind == RobustLossKind.SmoothL1)
            {
                // Coordinates with β = 0 are L1: their gradient is sign(x), where c/β would be 0/0.
                using var zero = 0.0.ToScalar();
                isZero = threshold.eq(zero);
                sign = x.sign();
            }
            x.add_(clamped, minusHalf);
            if (kind == RobustLossKind.Huber)
            {
                x.mul_(clamped);
                return clamped;
            }
            var gradient = torch.where(isZero!, sign!, clamped.div_(threshold));
            x.mul_(gradient);
            return gradient;
        }

        private static Tensor Reduce(Tensor elementwise, RobustLossCall call)
        {
            switch (call.Reduction)
            {
                case nn.Reduction.None:
                    return elementwise;
                case nn.Reduction.Sum:
                    return elementwise.sum();
                default:
                    if (call.Normalizer is not double normalizer)
                        return elementwise.mean();
                    using (var divisor = normalizer.ToScalar())
                        return elementwise.sum().div_(divisor);
            }
        }
    }
}
