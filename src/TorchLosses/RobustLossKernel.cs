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
    /// In Float32 and Float64 these forms reproduce libtorch's CPU kernels bit for bit for Huber values (½·x·x inside,
    /// δ·(|x| − ½δ) outside) and for Smooth L1 with β a power of two; docs/parity.md lists, with measured sizes, the
    /// ulp-level cases (Smooth L1 at other β, Huber gradients at a δ not representable in Float32, Float16/BFloat16,
    /// where libtorch keeps some intermediates in float32 and we round after every op).
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

        /// <summary>
        /// The forward recorded by libtorch's own autograd instead of <see cref="RobustLossFunction"/> (CPU float32/float64):
        /// the same ops, so the same values, but the local gradient (clamp, sign, c/β) is computed with grad mode off and
        /// enters the graph as a constant, so autograd's backward of <c>x.add_(c, −½).mul_(c)</c> is exactly grad · c
        /// (and of <c>|x|</c>, at β = 0, grad · sign(x)). Libtorch then runs backward natively, without the managed
        /// callback, the Node and the output wrapping of a TorchSharp custom function (a fixed cost that dominates at a
        /// few thousand elements), and libtorch's AccumulateGrad can take the gradient without copying it (it copies any
        /// gradient a custom function returns, which a managed handle still references). It saves one tensor of the
        /// loss's shape (c, or x for |x|), as the custom function does. Only for CPU float32/float64, where Mean below is
        /// libtorch's own mean. Call with grad mode on; the caller's dispose scope owns every temporary.
        /// </summary>
        public static Tensor Recorded(Tensor input, Tensor target, Tensor? weight, Tensor? threshold, RobustLossCall call)
        {
            var elementwise = input.sub(target);
            if (threshold is null && call.IsL1)
                elementwise = elementwise.abs(); // saves x; its backward is grad · sign(x), 0 at x = 0
            else if (threshold is null)
                ScalarThresholdInPlace(elementwise, call);
            else
                TensorThresholdInPlace(elementwise, threshold, call.Kind);
            if (weight is not null)
                elementwise.mul_(weight);
            if (call.Reduction == nn.Reduction.Mean && call.Normalizer is null)
            {
                // libtorch's CPU mean for float32/float64 is exactly sum().div_(numel) (ATen mean_out), so the value is the
                // same bits; recorded this way, backward expands grad/N as a view instead of materialising it.
                using var count = call.Shapes.ElementCount.ToScalar();
                return elementwise.sum().div_(count);
            }
            return Reduce(elementwise, call);
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
                using var inverseCount = (1.0 / call.MeanDivisor).ToScalar();
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
            if (call.IsL1)
            {
                // β = 0 is L1, as PyTorch documents it: |x|, with gradient sign(x) (0 at x = 0).
                var sign = x.sign();
                x.abs_();
                return sign;
            }
            using var upper = call.Threshold.ToScalar();
            using var lower = (-call.Threshold).ToScalar();
            using var minusHalf = (-0.5).ToScalar();
            Tensor clamped;
            using (torch.no_grad())
                clamped = x.clamp(lower, upper); // a constant of the graph when autograd records this (see Recorded)
            x.add_(clamped, minusHalf);           // x − c/2 (c/2 is exact, so one rounding, as libtorch's z − ½δ)
            if (call.Kind == RobustLossKind.SmoothL1 && call.Threshold != 1)
                clamped.div_(upper);              // c/β: ±1 exactly beyond β; β = 1 (the default) needs no division
            x.mul_(clamped);
            return clamped;
        }

        private static Tensor TensorThresholdInPlace(Tensor x, Tensor threshold, RobustLossKind kind)
        {
            using var minusHalf = (-0.5).ToScalar();
            // Everything derived from clamp and from the threshold is a constant of the graph when autograd records
            // this (see Recorded): no gradient flows into δ or β, and backward is grad · (local gradient).
            Tensor clamped;
            Tensor? sign = null, isZero = null;
            using (torch.no_grad())
            {
                clamped = x.clamp(threshold.neg(), threshold);
                if (kind == RobustLossKind.SmoothL1)
                {
                    // Coordinates with β = 0 are L1: their gradient is sign(x), where c/β would be 0/0.
                    using var zero = 0.0.ToScalar();
                    isZero = threshold.eq(zero);
                    sign = x.sign();
                }
            }
            x.add_(clamped, minusHalf);
            if (kind == RobustLossKind.Huber)
            {
                x.mul_(clamped);
                return clamped;
            }
            Tensor gradient;
            using (torch.no_grad())
                gradient = torch.where(isZero!, sign!, clamped.div_(threshold));
            x.mul_(gradient);
            return gradient;
        }

        /// <summary>None; Sum; Mean (libtorch's mean, or the sum divided by the normaliser).</summary>
        public static Tensor Reduce(Tensor elementwise, RobustLossCall call)
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
