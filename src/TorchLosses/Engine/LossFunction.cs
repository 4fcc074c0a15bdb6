using System;
using System.Collections.Generic;
using TorchLosses.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Engine
{
    /// <summary>
    /// The autograd node of every loss, one closed generic (so one TorchSharp singleton) per definition. Built like libtorch's
    /// fused loss kernels: forward computes the reduced loss and saves input, target, weight and the parameter tensors (which
    /// exist anyway: nothing new is held between forward and backward); backward recomputes ρ′ from them.
    /// <list type="bullet">
    /// <item>Grad mode off in backward (the usual <c>backward()</c>): values only, in the call's form (one SIMD pass, or the
    /// composed ops), gradient = ρ′(x)·s with s the incoming gradient (divided by N or the normaliser for Mean) times the weight.</item>
    /// <item>Grad mode on (<c>create_graph</c>): the same gradient from the definition's composed ops, recorded by libtorch, so
    /// that autograd differentiates it again: ρ″ from the definition, the weight's and the incoming gradient's terms from the
    /// multiplies, and the weight's gradient ρ(x)·s through this node again.</item>
    /// </list>
    /// Backward never throws: TorchSharp runs it as a native callback, where a managed exception ends the process. A failure
    /// reaches the caller as a managed exception from <c>backward()</c> instead (see <see cref="Refused"/>).
    /// Learnable parameter tensors (Barron's α and scale) get their gradient from the definition's ∂ρ/∂θ the same way.
    /// Called as <c>apply(input, target, weight?, LossCall, parameters...)</c>; no fields, as TorchSharp keeps one static instance.
    /// </summary>
    /// <typeparam name="TLoss">The loss definition.</typeparam>
    internal sealed class LossFunction<TLoss> : torch.autograd.SingleTensorFunction<LossFunction<TLoss>>
        where TLoss : struct, IPointwiseLoss<TLoss>
    {
        private const string CallKey = "call";

        /// <inheritdoc/>
        public override string Name => typeof(TLoss).Name + "Loss";

        /// <summary>The loss of the call through this node.</summary>
        public static Tensor Apply(Tensor input, Tensor target, Tensor? weight, LossCall<TLoss> call)
        {
            long elements = call.Shapes.ElementCount;
            var vars = new List<object>(4 + call.ParameterRequiresGrad.Length)
            {
                GradientAdoption.Input(input, elements)!, GradientAdoption.Input(target, elements)!, GradientAdoption.Input(weight, elements)!, call,
            };
            // Learnable parameter tensors enter as inputs of the node, so that their gradients flow (constants need not).
            if (call.AnyParameterGradient)
                vars.AddRange(call.Loss.Tensors);
            return apply(vars.ToArray());
        }

        /// <inheritdoc/>
        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var input = (Tensor)vars[0];
            var target = (Tensor)vars[1];
            var weight = vars[2] as Tensor;
            var call = (LossCall<TLoss>)vars[3];

            var loss = LossEngine.Forward(input, target, weight, call);
            // libtorch's saved variables keep these alive and check, when backward unpacks them, that nobody modified them
            // in place meanwhile. A null weight is saved as an empty variable and comes back null.
            var saved = new List<Tensor> { input, target, weight!, call.Normalizer?.Tensor! };
            saved.AddRange(call.Loss.Tensors);
            ctx.save_for_backward(saved);
            ctx.save_data(CallKey, call);
            return loss;
        }

        /// <inheritdoc/>
        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            // For a CUDA graph this may run on a libtorch worker thread with no caller scope: the gradients then leave this
            // scope unowned, and the GC releases their handles after libtorch has taken its own references.
            using var scope = torch.NewDisposeScope();
            LossCall<TLoss>? call = null;
            try
            {
                call = (LossCall<TLoss>)ctx.get_data(CallKey);
                call.BackwardFault?.Invoke();
                var saved = ctx.get_saved_variables();
                var (input, target, weight, parameters) = Gradients(grad_output, saved, call);
                return Result(input, target, weight, parameters);
            }
            catch (Exception error)
            {
                return Refused(call, error);
            }
        }

        private static (Tensor? Input, Tensor? Target, Tensor? Weight, Tensor?[] Parameters) Gradients(Tensor gradOutput, List<Tensor> saved, LossCall<TLoss> call)
        {
            var (input, target, weight) = (saved[0], saved[1], saved[2]);
            // The normaliser and parameter tensors as libtorch kept them (the call's own handles were released when forward returned).
            call = call with
            {
                Loss = call.Loss.WithTensors(saved.GetRange(4, saved.Count - 4).ToArray()),
                Normalizer = saved[3] is { } normalizer ? (LossNormalizer)normalizer : call.Normalizer,
            };
            var loss = call.Loss;
            var shapes = call.Shapes;
            bool recording = torch.is_grad_enabled();
            bool uniform = !recording && call.Vectorized && weight is null
                && (call.Reduction == nn.Reduction.Sum || (call.Reduction == nn.Reduction.Mean && call.NumericDivisor is not null));
            // The vector form divides a uniform incoming gradient by a number itself; everything else scales with tensor ops.
            var scale = uniform ? gradOutput : Reductions.Scale(gradOutput, call.Reduction, shapes.ElementCount, call.Normalizer);

            Tensor? gradInput = null, gradTarget = null, gradWeight = null;
            if (call.DifferenceGradient)
            {
                var perElement = weight is null ? scale : scale.mul(weight);
                if (uniform || (!recording && call.Vectorized && perElement.dtype == input.dtype
                    && (perElement.dim() == 0 || Broadcasting.Same(Broadcasting.ShapeOf(perElement), shapes.Loss))))
                {
                    // One pass; input and target have the loss's shape here, so nothing is summed back.
                    gradInput = call.InputRequiresGrad ? torch.empty_like(input) : null;
                    gradTarget = call.TargetRequiresGrad ? torch.empty_like(input) : null;
                    VectorizedForm.ScaledDerivatives(loss, input, target, perElement,
                        uniform && call.Reduction == nn.Reduction.Mean ? call.NumericDivisor : null, gradInput, gradTarget);
                }
                else
                {
                    var derivative = loss.Derivative(input.sub(target));
                    var difference = recording ? derivative.mul(perElement) : derivative.mul_(perElement);
                    if (call.InputRequiresGrad)
                        gradInput = Broadcasting.SumTo(difference, shapes.Loss, shapes.Input);
                    if (call.TargetRequiresGrad)
                        gradTarget = Broadcasting.SumTo(difference.neg(), shapes.Loss, shapes.Target);
                }
            }
            if (call.WeightRequiresGrad)
            {
                var unweighted = recording
                    ? Apply(input, target, null, call with
                    {
                        Reduction = nn.Reduction.None,
                        Normalizer = null,
                        Shapes = shapes with { Weight = null },
                        InputRequiresGrad = input.requires_grad,
                        TargetRequiresGrad = target.requires_grad,
                        WeightRequiresGrad = false,
                        ParameterRequiresGrad = LossEngine.ParametersRequiringGrad(call.Loss, gradEnabled: true),
                    })
                    : LossEngine.Elementwise(input, target, null, call);
                gradWeight = Broadcasting.SumTo(unweighted.mul(scale), shapes.Loss, shapes.Weight!);
            }
            var gradParameters = new Tensor?[call.AnyParameterGradient ? call.ParameterRequiresGrad.Length : 0];
            if (gradParameters.Length > 0)
            {
                var residual = input.sub(target);
                var perElement = weight is null ? scale : scale.mul(weight);
                var tensors = loss.Tensors;
                for (int index = 0; index < gradParameters.Length; index++)
                {
                    if (!call.ParameterRequiresGrad[index])
                        continue;
                    var partial = loss.ParameterDerivative(residual, index);
                    var weighted = recording ? partial.mul(perElement) : partial.mul_(perElement);
                    gradParameters[index] = Broadcasting.SumTo(weighted, shapes.Loss, Broadcasting.ShapeOf(tensors[index]));
                }
            }
            return (gradInput, gradTarget, gradWeight, gradParameters);
        }

        private static List<Tensor> Result(Tensor? input, Tensor? target, Tensor? weight, Tensor?[] parameters)
        {
            var result = new List<Tensor>(4 + parameters.Length)
            {
                input?.MoveToOuterDisposeScope()!,
                target?.MoveToOuterDisposeScope()!,
                weight?.MoveToOuterDisposeScope()!,
                null!, // the LossCall
            };
            foreach (var parameter in parameters)
                result.Add(parameter?.MoveToOuterDisposeScope()!);
            return result;
        }

        /// <summary>Backward failed: the cause goes to <see cref="LossWarnings"/>, and every gradient is one libtorch rejects (see <see cref="BackwardFailure"/>).</summary>
        private static List<Tensor> Refused(LossCall<TLoss>? call, Exception error)
        {
            BackwardFailure.Report(typeof(TLoss).Name, error);
            var parameters = new Tensor?[call is { AnyParameterGradient: true } ? call.ParameterRequiresGrad.Length : 0];
            for (int index = 0; index < parameters.Length; index++)
                parameters[index] = call!.ParameterRequiresGrad[index] ? BackwardFailure.InvalidGradient() : null;
            return Result(BackwardFailure.InvalidGradient(), BackwardFailure.InvalidGradient(),
                call?.Shapes.Weight is null ? null : BackwardFailure.InvalidGradient(), parameters);
        }
    }
}
