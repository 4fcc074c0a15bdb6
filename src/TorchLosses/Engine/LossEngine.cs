using System;
using TorchLosses.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Engine
{
    /// <summary>
    /// The one entry point behind every loss: argument checks, then the one dispatch.
    /// <list type="bullet">
    /// <item>Form: the vector form (<see cref="VectorizedForm"/>) where it applies (CPU, float32/float64, one shape, contiguous,
    /// number parameters), else the definition's composed ops (any device and dtype, broadcasting, tensor parameters).
    /// Chosen once per call; both give the same bits.</item>
    /// <item>Autograd: when any of input, target and weight needs a gradient, <see cref="LossFunction{TLoss}"/> (one node,
    /// twice differentiable); otherwise the forward alone.</item>
    /// </list>
    /// Then loss = reduce(weight · ρ(input − target)). Input and target of different dtypes follow libtorch's rules
    /// (<see cref="DtypeRules"/>).
    /// </summary>
    internal static class LossEngine
    {
        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>: a new tensor, 0-d for Mean and Sum.</summary>
        /// <param name="loss">The definition (parameters checked when it was made).</param>
        /// <param name="input">Predictions.</param>
        /// <param name="target">Targets, broadcastable with input; of input's dtype or another (see <see cref="DtypeRules"/>).</param>
        /// <param name="reduction">None, Mean or Sum.</param>
        /// <param name="weight">Per-element weights broadcastable to the loss, or null.</param>
        /// <param name="normalizer">For Mean: the divisor in place of the element count, or null.</param>
        /// <param name="function">The public function's name, for messages.</param>
        /// <param name="composedOnly">Tests only: the composed ops even where the vector form applies.</param>
        /// <param name="backwardFault">Tests only: runs at the start of backward.</param>
        public static Tensor Compute<TLoss>(TLoss loss, Tensor input, Tensor target, nn.Reduction reduction, Tensor? weight,
            LossNormalizer? normalizer, string function, bool composedOnly = false, Action? backwardFault = null)
            where TLoss : struct, IPointwiseLoss<TLoss>
        {
            if (input is null) throw new ArgumentNullException(nameof(input));
            if (target is null) throw new ArgumentNullException(nameof(target));
            var common = DtypeRules.Common(input, target, loss.ResultHasInputDtype, function);
            if (input.dtype == common && target.dtype == common)
                return ComputeInOneDtype(loss, input, target, reduction, weight, normalizer, composedOnly, backwardFault);

            // Mixed dtypes: both promoted (differentiably, so each gradient comes back in its own tensor's dtype).
            using var scope = torch.NewDisposeScope();
            var promotedInput = input.dtype == common ? input : input.to(common);
            var promotedTarget = target.dtype == common ? target : target.to(common);
            var resultDtype = loss.ResultHasInputDtype ? input.dtype : common;
            if (resultDtype == common)
                return ComputeInOneDtype(loss, promotedInput, promotedTarget, reduction, weight, normalizer, composedOnly, backwardFault)
                    .MoveToOuterDisposeScope();
            // libtorch computes the elementwise loss in the common dtype, writes it in input's dtype and reduces it there.
            var checkedNormalizer = ArgumentChecks.Normalizer(normalizer, reduction, input, resultDtype);
            var elementwise = ComputeInOneDtype(loss, promotedInput, promotedTarget, nn.Reduction.None, weight, null, composedOnly, backwardFault)
                .to(resultDtype);
            return Reductions.Reduce(elementwise, reduction, checkedNormalizer).MoveToOuterDisposeScope();
        }

        private static Tensor ComputeInOneDtype<TLoss>(TLoss loss, Tensor input, Tensor target, nn.Reduction reduction, Tensor? weight,
            LossNormalizer? normalizer, bool composedOnly, Action? backwardFault)
            where TLoss : struct, IPointwiseLoss<TLoss>
        {
            var shapes = ArgumentChecks.Tensors(input, target, weight);
            // Temporaries (converted parameters among them) die with this scope; libtorch's saved variables keep their own
            // references, so only the result leaves.
            using var scope = torch.NewDisposeScope();
            var checkedNormalizer = ArgumentChecks.Normalizer(normalizer, reduction, input, input.dtype);
            var prepared = loss.Prepared(input, shapes.Loss);
            bool gradEnabled = torch.is_grad_enabled();
            var call = new LossCall<TLoss>(prepared, reduction, checkedNormalizer, shapes,
                InputRequiresGrad: gradEnabled && input.requires_grad,
                TargetRequiresGrad: gradEnabled && target.requires_grad,
                WeightRequiresGrad: gradEnabled && weight is not null && weight.requires_grad,
                ParameterRequiresGrad: ParametersRequiringGrad(prepared, gradEnabled),
                Vectorized: !composedOnly && VectorizedForm.Applies(prepared, input, target, shapes),
                BackwardFault: backwardFault);
            var result = call.AnyGradient
                ? LossFunction<TLoss>.Apply(input, target, weight, call)
                : Forward(input, target, weight, call);
            return result.MoveToOuterDisposeScope();
        }

        /// <summary>For each of the definition's parameter tensors, whether it needs a gradient (never with grad mode off).</summary>
        public static bool[] ParametersRequiringGrad<TLoss>(TLoss loss, bool gradEnabled) where TLoss : struct, IPointwiseLoss<TLoss>
        {
            var tensors = loss.Tensors;
            if (tensors.Length == 0)
                return Array.Empty<bool>();
            var flags = new bool[tensors.Length];
            for (int index = 0; index < flags.Length; index++)
                flags[index] = gradEnabled && tensors[index].requires_grad;
            return flags;
        }

        /// <summary>reduce(weight · ρ(input − target)) without autograd.</summary>
        public static Tensor Forward<TLoss>(Tensor input, Tensor target, Tensor? weight, LossCall<TLoss> call)
            where TLoss : struct, IPointwiseLoss<TLoss> =>
            call.Vectorized
                ? VectorizedForm.Reduce(Elementwise(input, target, weight, call), call.Reduction, call.Normalizer, call.NumericDivisor)
                : Reductions.Reduce(Elementwise(input, target, weight, call), call.Reduction, call.Normalizer);

        /// <summary>weight · ρ(input − target), elementwise, in the call's form, without autograd: a fresh tensor of the loss's shape.</summary>
        public static Tensor Elementwise<TLoss>(Tensor input, Tensor target, Tensor? weight, LossCall<TLoss> call)
            where TLoss : struct, IPointwiseLoss<TLoss>
        {
            if (call.Vectorized)
                return VectorizedForm.Values(call.Loss, input, target, weight, call.Shapes);
            var elementwise = call.Loss.Value(input.sub(target));
            return weight is null ? elementwise : elementwise.mul_(weight);
        }
    }
}
