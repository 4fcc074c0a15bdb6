using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Engine
{
    /// <summary>
    /// A smooth loss (pseudo-Huber, Barron's, log-cosh) whose ρ″ has a closed form that is more accurate than autograd's
    /// derivative of its ρ′. Autograd differentiates x/√(1 + (x/δ)²) into a difference of two nearly equal terms for large
    /// |x|, which loses every digit of ρ″ = (1 + (x/δ)²)^(−3/2); the closed form loses none.
    /// </summary>
    /// <typeparam name="TSelf">The implementing struct.</typeparam>
    internal interface ISmoothLoss<TSelf> : IPointwiseLoss<TSelf> where TSelf : struct, ISmoothLoss<TSelf>
    {
        /// <summary>ρ′(x) by composed ops, recorded when grad mode is on (then through any attached parameter tensor as well); does not modify <paramref name="residual"/>.</summary>
        Tensor FirstDerivative(Tensor residual);

        /// <summary>ρ″(x) by composed ops, recorded when grad mode is on; does not modify <paramref name="residual"/>.</summary>
        Tensor SecondDerivative(Tensor residual);

        /// <summary>Whether a parameter tensor requires a gradient (then ρ′ is recorded through it, and <see cref="CurvatureFunction{TLoss}"/>, whose parameters are constants, does not apply).</summary>
        bool HasLearnableParameters { get; }
    }

    /// <summary>The <see cref="IPointwiseLoss{TSelf}.Derivative(Tensor)"/> of every smooth loss.</summary>
    internal static class SmoothDerivative
    {
        /// <summary>
        /// ρ′(x). When <paramref name="residual"/> requires a gradient and the parameters are constants, through
        /// <see cref="CurvatureFunction{TLoss}"/>, so that autograd's derivative of the result is the closed-form ρ″; when a
        /// parameter is learned, by the composed ρ′ recorded through it (autograd then gives every mixed derivative).
        /// </summary>
        public static Tensor Of<TLoss>(TLoss loss, Tensor residual) where TLoss : struct, ISmoothLoss<TLoss>
        {
            if (residual.requires_grad && !loss.HasLearnableParameters)
                return CurvatureFunction<TLoss>.Of(loss, residual);
            return loss.FirstDerivative(residual);
        }
    }

    /// <summary>
    /// ρ′(x) as an autograd node whose backward is the closed-form ρ″(x) (recorded in turn when grad mode is on, so
    /// autograd's ρ‴ is the derivative of the composed ρ″). Parameters are constants here. Backward never throws (see
    /// <see cref="BackwardFailure"/>). Called as <c>apply(residual, loss)</c>; no fields, as TorchSharp keeps one static instance.
    /// </summary>
    /// <typeparam name="TLoss">The loss definition.</typeparam>
    internal sealed class CurvatureFunction<TLoss> : torch.autograd.SingleTensorFunction<CurvatureFunction<TLoss>>
        where TLoss : struct, ISmoothLoss<TLoss>
    {
        private const string LossKey = "loss";

        /// <inheritdoc/>
        public override string Name => typeof(TLoss).Name + "Derivative";

        /// <summary>ρ′(<paramref name="residual"/>) through this node.</summary>
        public static Tensor Of(TLoss loss, Tensor residual) => apply(residual, loss);

        /// <inheritdoc/>
        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var residual = (Tensor)vars[0];
            var loss = (TLoss)vars[1];
            Tensor derivative;
            using (torch.no_grad())
                derivative = loss.FirstDerivative(residual);
            var saved = new List<Tensor> { residual };
            saved.AddRange(loss.Tensors);
            ctx.save_for_backward(saved);
            ctx.save_data(LossKey, loss);
            return derivative;
        }

        /// <inheritdoc/>
        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            using var scope = torch.NewDisposeScope();
            try
            {
                var saved = ctx.get_saved_variables();
                var loss = ((TLoss)ctx.get_data(LossKey)).WithTensors(saved.GetRange(1, saved.Count - 1).ToArray());
                var curvature = loss.SecondDerivative(saved[0]);
                var gradient = torch.is_grad_enabled() ? curvature.mul(grad_output) : curvature.mul_(grad_output);
                return new List<Tensor> { gradient.MoveToOuterDisposeScope(), null! };
            }
            catch (System.Exception error)
            {
                BackwardFailure.Report(typeof(TLoss).Name, error);
                return new List<Tensor> { BackwardFailure.InvalidGradient()?.MoveToOuterDisposeScope()!, null! };
            }
        }
    }
}
