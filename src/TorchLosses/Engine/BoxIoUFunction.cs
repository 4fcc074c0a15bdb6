using System;
using System.Collections.Generic;
using System.Numerics;
using TorchLosses.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Engine
{
    /// <summary>
    /// The autograd node of the fused box IoU losses (CPU, float32/float64, contiguous boxes). Forward runs the fused pass
    /// and saves boxes1, boxes2 and the weight (which exist anyway: nothing new is held between forward and backward).
    /// <list type="bullet">
    /// <item>Grad mode off in backward (the usual <c>backward()</c>): the analytic gradient in one fused pass, times the incoming
    /// gradient (divided by the box count or the normaliser for Mean) and the weight; the weight's gradient is ℓ times the same.</item>
    /// <item>Grad mode on (<c>create_graph</c>): the loss is recomputed from the saved tensors through the composed ops
    /// (<see cref="BoxIoU.Composed"/>) and differentiated by autograd with <c>create_graph</c>, so the gradient is recorded and
    /// its own derivatives are autograd's derivatives of torchvision's formula.</item>
    /// </list>
    /// Backward never throws: TorchSharp runs it as a native callback, where a managed exception ends the process; a failure
    /// reaches the caller as a managed exception from <c>backward()</c> instead (see <see cref="Refused"/>).
    /// Called as <c>apply(boxes1, boxes2, weight?, BoxIoUCall)</c>; no fields, as TorchSharp keeps one static instance.
    /// </summary>
    internal sealed class BoxIoUFunction : torch.autograd.SingleTensorFunction<BoxIoUFunction>
    {
        private const string CallKey = "call";

        /// <inheritdoc/>
        public override string Name => "BoxIoULoss";

        /// <summary>The loss of the call through this node.</summary>
        public static Tensor Apply(Tensor boxes1, Tensor boxes2, Tensor? weight, BoxIoUCall call)
        {
            long coordinates = call.Count * 4;
            return apply(GradientAdoption.Input(boxes1, coordinates)!, GradientAdoption.Input(boxes2, coordinates)!,
                GradientAdoption.Input(weight, coordinates)!, call);
        }

        /// <inheritdoc/>
        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var boxes1 = (Tensor)vars[0];
            var boxes2 = (Tensor)vars[1];
            var weight = vars[2] as Tensor;
            var call = (BoxIoUCall)vars[3];
            var loss = BoxIoU.FusedForward(boxes1, boxes2, weight, call);
            // libtorch's saved variables keep these alive and check, when backward unpacks them, that nobody modified them in
            // place meanwhile. A null weight or normaliser is saved as an empty variable and comes back null.
            ctx.save_for_backward(new List<Tensor> { boxes1, boxes2, weight!, call.Normalizer?.Tensor! });
            ctx.save_data(CallKey, call);
            return loss;
        }

        /// <inheritdoc/>
        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            using var scope = torch.NewDisposeScope();
            BoxIoUCall? call = null;
            try
            {
                call = (BoxIoUCall)ctx.get_data(CallKey);
                call.BackwardFault?.Invoke();
                var saved = ctx.get_saved_variables();
                call = call with { Normalizer = saved[3] is { } normalizer ? (LossNormalizer)normalizer : call.Normalizer };
                var (first, second, weight) = torch.is_grad_enabled()
                    ? Recorded(grad_output, saved[0], saved[1], saved[2], call)
                    : Fused(grad_output, saved[0], saved[1], saved[2], call);
                return Result(first, second, weight);
            }
            catch (Exception error)
            {
                return Refused(call, error);
            }
        }

        /// <summary>First order in the fused form: one pass for both boxes' gradients.</summary>
        private static unsafe (Tensor? First, Tensor? Second, Tensor? Weight) Fused(Tensor gradOutput, Tensor boxes1, Tensor boxes2, Tensor? weight, BoxIoUCall call)
        {
            Tensor? first = null, second = null, gradWeight = null;
            if (call.Boxes1RequiresGrad || call.Boxes2RequiresGrad)
            {
                first = call.Boxes1RequiresGrad ? torch.empty_like(boxes1) : null;
                second = call.Boxes2RequiresGrad ? torch.empty_like(boxes2) : null;
                // Uniform scale (Sum, or Mean by a number, unweighted): the incoming 0-d gradient read from memory and divided in
                // the dtype, as autograd's backward of mean divides it. Otherwise one factor per box.
                bool uniform = weight is null && (call.Reduction == nn.Reduction.Sum
                    || (call.Reduction == nn.Reduction.Mean && call.NumericDivisor is not null));
                Tensor? scales = null;
                if (!uniform)
                {
                    var perBox = Reductions.Scale(gradOutput, call.Reduction, call.Count, call.Normalizer);
                    if (weight is not null)
                        perBox = perBox.mul(weight);
                    scales = perBox.expand(call.LossShape).contiguous();
                }
                if (boxes1.dtype == ScalarType.Float32)
                    Gradients<float>(call, (float)call.Eps, boxes1, boxes2, gradOutput, uniform, scales, first, second);
                else
                    Gradients<double>(call, call.Eps, boxes1, boxes2, gradOutput, uniform, scales, first, second);
            }
            if (call.WeightRequiresGrad)
            {
                var unweighted = BoxIoU.FusedValues(boxes1, boxes2, null, call with { WeightShape = null });
                var scale = Reductions.Scale(gradOutput, call.Reduction, call.Count, call.Normalizer);
                gradWeight = Broadcasting.SumTo(unweighted.mul_(scale), call.LossShape, call.WeightShape!);
            }
            return (first, second, gradWeight);
        }

        private static unsafe void Gradients<T>(BoxIoUCall call, T eps, Tensor boxes1, Tensor boxes2, Tensor gradOutput, bool uniform,
            Tensor? scales, Tensor? first, Tensor? second)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            T scale = T.One;
            if (uniform)
            {
                scale = gradOutput.item<T>(); // a 0-d CPU tensor: read from memory, no device sync
                if (call.Reduction == nn.Reduction.Mean)
                    scale /= T.CreateTruncating(call.NumericDivisor!.Value);
            }
            fixed (byte* a = boxes1.bytes, b = boxes2.bytes, s = scales is null ? default : scales.bytes,
                   g1 = first is null ? default : first.bytes, g2 = second is null ? default : second.bytes)
                BoxIoUKernel.Gradients(call.Kind, eps, (T*)a, (T*)b, scale, (T*)s, (T*)g1, (T*)g2, call.Count);
        }

        /// <summary>
        /// With <c>create_graph</c>: the composed loss of the saved tensors, differentiated by autograd with the incoming gradient
        /// and <c>create_graph</c>, so that the gradients are recorded functions of boxes1, boxes2, the weight and the incoming gradient.
        /// </summary>
        private static (Tensor? First, Tensor? Second, Tensor? Weight) Recorded(Tensor gradOutput, Tensor boxes1, Tensor boxes2, Tensor? weight, BoxIoUCall call)
        {
            var inputs = new List<Tensor>();
            if (call.Boxes1RequiresGrad) inputs.Add(boxes1);
            if (call.Boxes2RequiresGrad) inputs.Add(boxes2);
            if (call.WeightRequiresGrad) inputs.Add(weight!);
            var loss = BoxIoU.Reduce(BoxIoU.Composed(call.Kind, boxes1, boxes2, call.Eps, weight), call);
            // The forward recorded a graph here: at least one input requires a gradient and grad mode is on.
            var gradients = torch.autograd.grad(new[] { loss }, inputs, new[] { gradOutput }, retain_graph: true, create_graph: true, allow_unused: true);
            int next = 0;
            var first = call.Boxes1RequiresGrad ? gradients[next++] : null;
            var second = call.Boxes2RequiresGrad ? gradients[next++] : null;
            var gradWeight = call.WeightRequiresGrad ? gradients[next] : null;
            return (first, second, gradWeight);
        }

        private static List<Tensor> Result(Tensor? first, Tensor? second, Tensor? weight) => new()
        {
            first?.MoveToOuterDisposeScope()!,
            second?.MoveToOuterDisposeScope()!,
            weight?.MoveToOuterDisposeScope()!,
            null!, // the BoxIoUCall
        };

        /// <summary>
        /// Backward failed (a saved tensor modified in place after forward, out of memory, anything else). TorchSharp gives a
        /// custom backward no way to raise an error, so this returns, for each tensor, a 0-d complex gradient that libtorch's
        /// engine rejects, which stops backward with an error that reaches the caller as a managed exception. The cause goes to
        /// <see cref="LossWarnings"/>.
        /// </summary>
        private static List<Tensor> Refused(BoxIoUCall? call, Exception error)
        {
            BackwardFailure.Report(call is null ? "the box IoU loss" : call.Kind + " box IoU loss", error,
                "The boxes or the weight of the loss were modified in place after the loss was computed; clone them before modifying them.");
            return Result(BackwardFailure.InvalidGradient(), BackwardFailure.InvalidGradient(),
                call?.WeightShape is null ? null : BackwardFailure.InvalidGradient());
        }
    }
}
