using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// The custom autograd node of both losses: forward through <see cref="RobustLossKernel.Forward"/>, and an analytic
    /// backward that is one multiply of the saved local gradient. Called as
    /// <c>apply(input, target, weight?, threshold?, RobustLossCall)</c>. TorchSharp keeps a single static instance of
    /// this type, so it has no fields: all per-call state travels in <c>ctx</c>.
    /// </summary>
    internal sealed class RobustLossFunction : torch.autograd.SingleTensorFunction<RobustLossFunction>
    {
        private const string CallKey = "call";

        public override string Name => nameof(RobustLossFunction);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var input = (Tensor)vars[0];
            var target = (Tensor)vars[1];
            var weight = vars[2] as Tensor;
            var threshold = vars[3] as Tensor;
            var call = (RobustLossCall)vars[4];

            var result = RobustLossKernel.Forward(input, target, weight, threshold, call);
            // Null entries are allowed: TorchSharp stores an empty saved variable and gives back null.
            ctx.save_for_backward(new List<Tensor> { result.LocalGradient!, result.Unweighted! });
            ctx.save_data(CallKey, call);
            return result.Loss;
        }

        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            // For a CUDA graph this may run on a libtorch worker thread with no caller scope: the gradients then
            // leave this scope unowned and the GC releases them after libtorch has taken its own references.
            using var scope = torch.NewDisposeScope();
            var call = (RobustLossCall)ctx.get_data(CallKey);
            var saved = ctx.get_saved_variables();
            var (input, target, weight) = RobustLossKernel.Backward(grad_output, saved[0], saved[1], call);
            return new List<Tensor>
            {
                input?.MoveToOuterDisposeScope()!,
                target?.MoveToOuterDisposeScope()!,
                weight?.MoveToOuterDisposeScope()!,
                null!, // threshold: a constant, as δ and β are in PyTorch
                null!, // the RobustLossCall
            };
        }
    }
}
