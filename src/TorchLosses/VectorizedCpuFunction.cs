using System.Collections.Generic;
using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// The autograd node of <see cref="VectorizedCpuPath"/>: forward computes the elementwise loss into a fresh tensor,
    /// reduces it, then overwrites that tensor with the local gradient and saves it (our own tensor: no caller can
    /// modify it before backward, so backward never meets a version-counter error, which TorchSharp could only raise
    /// by crashing the process). Backward is one SIMD pass: scale·local into the input gradient and its negation into
    /// the target gradient, where scale is the incoming gradient divided as autograd divides it (g/N for Mean).
    /// Called as <c>apply(input, target, RobustLossCall)</c>; no fields, as TorchSharp keeps one static instance.
    /// </summary>
    internal sealed class VectorizedCpuFunction : torch.autograd.SingleTensorFunction<VectorizedCpuFunction>
    {
        private const string CallKey = "call";

        /// <summary>
        /// From this many elements on (1 MiB of float32), forward reuses the loss's memory for the local gradient instead of
        /// allocating a second tensor, at the price of reading input and target twice. Fresh large blocks cost page faults
        /// (about 14 µs per 4 KiB page here): above 32 MiB glibc maps every one fresh, and between 1 and 32 MiB a third
        /// live block pushes the heap over glibc's trim threshold, so it is returned to the kernel and faulted in again
        /// on the next call. Measured at 1,048,576 float32 elements, run alone: one pass into two tensors 2.2–2.9 ms and
        /// 50–155 faults per call, reuse 0.93–1.6 ms and 10–50 faults (fused 0.55 ms, 0.2 faults).
        /// </summary>
        public const long ReuseLossMemoryFrom = 1 << 18;

        public override string Name => nameof(VectorizedCpuFunction);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var input = (Tensor)vars[0];
            var target = (Tensor)vars[1];
            var call = (RobustLossCall)vars[2];

            Tensor loss, local;
            if (call.Shapes.ElementCount < ReuseLossMemoryFrom)
            {
                // One pass writes both; the loss tensor is freed when forward returns.
                var (elementwise, gradient) = VectorizedCpuPath.ElementwiseLossAndLocalGradient(input, target, call);
                loss = VectorizedCpuPath.Reduce(elementwise, call);
                local = gradient;
            }
            else
            {
                // The sum has read the elementwise loss: the same memory, already mapped, now takes the local gradient,
                // at the price of reading input and target twice.
                local = VectorizedCpuPath.ElementwiseLoss(input, target, null, call);
                loss = VectorizedCpuPath.Reduce(local, call);
                VectorizedCpuPath.LocalGradients(input, target, local, call);
            }
            ctx.save_for_backward(new List<Tensor> { local });
            ctx.save_data(CallKey, call);
            return loss;
        }

        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            // Must never throw: TorchSharp runs this as a native callback, where a managed exception ends the process.
            using var scope = torch.NewDisposeScope();
            var call = (RobustLossCall)ctx.get_data(CallKey);
            var local = ctx.get_saved_variables()[0];
            var gradInput = call.InputRequiresGrad ? torch.empty_like(local) : null;
            var gradTarget = call.TargetRequiresGrad ? torch.empty_like(local) : null;
            if (gradInput is not null || gradTarget is not null)
            {
                if (local.dtype == ScalarType.Float32)
                    Scaled<float>(grad_output, local, gradInput, gradTarget, call);
                else
                    Scaled<double>(grad_output, local, gradInput, gradTarget, call);
            }
            return new List<Tensor>
            {
                gradInput?.MoveToOuterDisposeScope()!,
                gradTarget?.MoveToOuterDisposeScope()!,
                null!, // the RobustLossCall
            };
        }

        private static unsafe void Scaled<T>(Tensor gradOutput, Tensor local, Tensor? gradInput, Tensor? gradTarget, RobustLossCall call)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            // A CPU scalar: reading it is a memory read, not a device sync. Mean divides it as autograd's DivBackward
            // does (g / N in T), before the one large multiply, as the composed path's recorded backward.
            var scale = T.CreateTruncating(gradOutput.ToDouble());
            if (call.Reduction == nn.Reduction.Mean)
                scale /= T.CreateTruncating(call.Normalizer ?? (double)call.Shapes.ElementCount);
            fixed (byte* l = local.bytes, i = gradInput is null ? default : gradInput.bytes, t = gradTarget is null ? default : gradTarget.bytes)
                VectorizedCpuKernel.Scaled((T*)l, scale, (T*)i, (T*)t, call.Shapes.ElementCount);
        }
    }
}
