using System;
using TorchLosses.Engine;
using TorchSharp;
using static TorchSharp.torch;
using static TorchLosses.Engine.ScalarOps;

namespace TorchLosses
{
    /// <summary>
    /// Log-cosh loss, the definition the engine runs: ρ(x) = log(cosh(x)), ρ′(x) = tanh(x), ρ″(x) = sech²(x).
    /// Computed without overflow or cancellation, with a = |x|:
    /// <code>
    /// ρ  = log1p(2·sinh²(a/2))             for a ≤ 1  (cosh(x) − 1 = 2·sinh²(x/2): exact digits where ρ ≈ ½x²)
    ///    = a + log1p(exp(−2a)) − log 2      for a &gt; 1  (no overflow of cosh for large a)
    /// ρ″ = 4e/(1 + e)², e = exp(−2a)
    /// </code>
    /// Keras' <c>LogCosh</c> computes x + softplus(−2x) − log 2, which cancels for small x (in float64 it gives 1.1e-16 at x = 1e-8, where ρ is 5.0e-17).
    /// </summary>
    internal readonly struct LogCosh : ISmoothLoss<LogCosh>
    {
        /// <inheritdoc/>
        public bool ResultHasInputDtype => false;

        /// <inheritdoc/>
        public Tensor[] Tensors => Array.Empty<Tensor>();

        /// <inheritdoc/>
        public LogCosh WithTensors(Tensor[] tensors) => this;

        /// <inheritdoc/>
        public LogCosh Prepared(Tensor input, long[] lossShape) => this;

        /// <inheritdoc/>
        public bool HasLearnableParameters => false;

        /// <inheritdoc/>
        public Tensor Value(Tensor residual)
        {
            using var scope = torch.NewDisposeScope();
            var a = residual.abs();
            var small = Less(a, 1.0).logical_or_(a.isnan());
            var sinh = Mul(a, 0.5).sinh_();
            var near = sinh.mul_(sinh).mul_(Two).log1p_();
            var far = a.add(Mul(a, -2.0).exp_().log1p_(), One).add_(MinusLog2, One);
            return torch.where(small, near, far).MoveToOuterDisposeScope();
        }

        /// <inheritdoc/>
        public Tensor Derivative(Tensor residual) => SmoothDerivative.Of(this, residual);

        /// <inheritdoc/>
        public Tensor FirstDerivative(Tensor residual) => residual.tanh();

        /// <inheritdoc/>
        public Tensor SecondDerivative(Tensor residual)
        {
            var e = Mul(residual.abs(), -2.0).exp();
            var denominator = Add(e, 1.0);
            return Mul(e, 4.0).div(denominator.mul(denominator));
        }

        private static readonly Scalar Two = 2.0.ToScalar();
        private static readonly Scalar MinusLog2 = (-Math.Log(2.0)).ToScalar();
    }

#pragma warning disable CS8981 // lowercase on purpose, like torch.nn.functional
    public static partial class functional
#pragma warning restore CS8981
    {
        /// <summary>
        /// Log-cosh loss: with x = input − target, ℓ(x) = log(cosh(x)), about ½x² near 0 and |x| − log 2 far out; gradient
        /// tanh(x). Accurate for every x (no overflow of cosh, no cancellation near 0). Then loss = reduce(weight · ℓ) as for
        /// <see cref="huber_loss(Tensor, Tensor, double, nn.Reduction, Tensor?, LossNormalizer?)"/>.
        /// See <see href="https://keras.io/api/losses/regression_losses/#logcosh-class">Keras LogCosh</see>.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of any shape.</param>
        /// <param name="target">Targets on input's device, broadcastable with it.</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        /// <param name="weight">Optional per-element weights, broadcastable to the loss.</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only: a number or a 0-d tensor.</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the broadcast shape for None.</returns>
        public static Tensor log_cosh_loss(Tensor input, Tensor target, nn.Reduction reduction = nn.Reduction.Mean,
            Tensor? weight = null, LossNormalizer? normalizer = null)
            => LossEngine.Compute(new LogCosh(), input, target, reduction, weight, normalizer, "log_cosh_loss");
    }

    /// <summary>
    /// Log-cosh loss as a module: ℓ(x) = log(cosh(x)), with x = input − target; gradient tanh(x).
    /// See <see cref="functional.log_cosh_loss(Tensor, Tensor, nn.Reduction, Tensor?, LossNormalizer?)"/>.
    /// </summary>
    public sealed class LogCoshLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <summary>Creates the loss.</summary>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        public LogCoshLoss(nn.Reduction reduction = nn.Reduction.Mean) : base(reduction)
        {
        }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>, reduced as configured.</summary>
        /// <param name="input">Predictions: a floating-point tensor.</param>
        /// <param name="target">Targets, broadcastable with input.</param>
        /// <returns>A new tensor.</returns>
        public override Tensor forward(Tensor input, Tensor target)
            => LossEngine.Compute(new LogCosh(), input, target, reduction, null, null, "log_cosh_loss");

        /// <summary>The weighted loss: reduce(weight · ℓ), Mean dividing by <paramref name="normalizer"/> when given.</summary>
        /// <param name="input">Predictions: a floating-point tensor.</param>
        /// <param name="target">Targets, broadcastable with input.</param>
        /// <param name="weight">Per-element weights broadcastable to the loss, or null.</param>
        /// <param name="normalizer">Divisor of the summed loss for Mean (a number or a 0-d tensor), or null for the element count.</param>
        /// <returns>A new tensor.</returns>
        public Tensor forward(Tensor input, Tensor target, Tensor? weight, LossNormalizer? normalizer = null)
            => LossEngine.Compute(new LogCosh(), input, target, reduction, weight, normalizer, "log_cosh_loss");
    }
}
