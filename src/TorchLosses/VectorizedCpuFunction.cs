using System;
using System.Collections.Generic;
using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// The autograd node of <see cref="VectorizedCpuPath"/> for large tensors, built like libtorch's fused kernels: forward
    /// writes the elementwise loss into a fresh tensor that is freed once reduced, and saves only input and target (which
    /// exist anyway); backward recomputes the local gradient from them in the same pass that scales it:
    /// gradInput = scale·g(input − target), gradTarget = −gradInput, where scale is the incoming gradient divided as
    /// autograd divides it (g/N for Mean), or for reduction None the incoming gradient of each element. So one fresh tensor in forward and one in backward, and nothing held between
    /// them. Called as <c>apply(input, target, RobustLossCall)</c>; no fields, as TorchSharp keeps one static instance.
    /// </summary>
    internal sealed class VectorizedCpuFunction : torch.autograd.SingleTensorFunction<VectorizedCpuFunction>
    {
        private const string CallKey = "call";

        public override string Name => nameof(VectorizedCpuFunction);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var input = (Tensor)vars[0];
            var target = (Tensor)vars[1];
            var call = (RobustLossCall)vars[2];

            var loss = RobustLossKernel.Reduce(VectorizedCpuPath.ElementwiseLoss(input, target, null, call), call);
            // libtorch's saved variables keep input and target alive and check, when backward unpacks them, that nobody
            // modified them in place meanwhile.
            ctx.save_for_backward(new List<Tensor> { input, target });
            ctx.save_data(CallKey, call);
            return loss;
        }

        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            // Must never throw: TorchSharp runs this as a native callback, where a managed exception ends the process.
            using var scope = torch.NewDisposeScope();
            var call = (RobustLossCall)ctx.get_data(CallKey);
            List<Tensor> saved;
            try
            {
                saved = ctx.get_saved_variables();
            }
            catch (Exception error)
            {
                return RefusedGradients(call, error);
            }
            var (input, target) = (saved[0], saved[1]);
            var gradInput = call.InputRequiresGrad ? torch.empty_like(input) : null;
            var gradTarget = call.TargetRequiresGrad ? torch.empty_like(input) : null;
            if (input.dtype == ScalarType.Float32)
                ScaledLocalGradients<float>(grad_output, input, target, gradInput, gradTarget, call);
            else
                ScaledLocalGradients<double>(grad_output, input, target, gradInput, gradTarget, call);
            return Gradients(gradInput, gradTarget);
        }

        private static List<Tensor> Gradients(Tensor? input, Tensor? target) => new()
        {
            input?.MoveToOuterDisposeScope()!,
            target?.MoveToOuterDisposeScope()!,
            null!, // the RobustLossCall
        };

        /// <summary>
        /// libtorch refused to unpack input or target: one of them was modified in place between forward and backward (the
        /// error libtorch's own kernels raise there). TorchSharp gives a custom backward no way to raise an error, so this
        /// returns gradients of a shape that cannot broadcast back (one more element along a dimension of size ≠ 1, which
        /// every tensor of this path has): libtorch's engine then stops backward with an error that reaches the caller
        /// as a managed exception, and the cause goes to <see cref="LossWarnings"/>.
        /// </summary>
        private static List<Tensor> RefusedGradients(RobustLossCall call, Exception error)
        {
            try
            {
                LossWarnings.Raise(
                    $"TorchLosses could not compute the gradient: {error.Message.Split('\n')[0]} " +
                    "The input or target of the loss was modified in place after the loss was computed; clone it before modifying it. " +
                    "backward() fails with a gradient of the wrong shape because a TorchSharp custom backward cannot raise this error itself.");
            }
            catch
            {
                // A warning subscriber that throws must not end the process either.
            }
            var shape = (long[])call.Shapes.Loss.Clone();
            int dimension = Array.FindIndex(shape, size => size != 1);
            shape[dimension] += 1;
            return Gradients(call.InputRequiresGrad ? torch.empty(shape) : null, call.TargetRequiresGrad ? torch.empty(shape) : null);
        }

        private static unsafe void ScaledLocalGradients<T>(Tensor gradOutput, Tensor input, Tensor target, Tensor? gradInput, Tensor? gradTarget, RobustLossCall call)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            // None: the upstream gradient, one per element (made contiguous if autograd expanded it). Otherwise a CPU
            // scalar: reading it is a memory read, not a device sync; Mean divides it as autograd's DivBackward does
            // (g / N in T), before the one large multiply, as the composed path's recorded backward.
            var upstream = call.Reduction == nn.Reduction.None ? gradOutput.contiguous() : null;
            var scale = upstream is null ? T.CreateTruncating(gradOutput.ToDouble()) : T.One;
            if (call.Reduction == nn.Reduction.Mean)
                scale /= T.CreateTruncating(call.MeanDivisor);
            fixed (byte* a = input.bytes, b = target.bytes, u = upstream is null ? default : upstream.bytes,
                   i = gradInput is null ? default : gradInput.bytes, t = gradTarget is null ? default : gradTarget.bytes)
                VectorizedCpuKernel.ScaledLocalGradients((T*)a, (T*)b, scale, (T*)u, (T*)i, (T*)t, call.Shapes.ElementCount, new LossArithmetic<T>(call.Kind, call.Threshold));
        }
    }
}
