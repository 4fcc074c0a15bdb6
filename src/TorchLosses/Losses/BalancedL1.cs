using System;
using TorchLosses.Engine;
using TorchSharp;
using static TorchSharp.torch;
using static TorchLosses.Engine.ScalarOps;

namespace TorchLosses
{
    /// <summary>
    /// Balanced L1 loss (Pang et al., "Libra R-CNN", CVPR 2019), mmdetection's <c>balanced_l1_loss</c> formula, the definition
    /// the engine runs. With d = |x| and b = e^(γ/α) − 1 (so that the two pieces' gradients meet at d = β when β = 1):
    /// <code>
    /// ρ(x)  = (α/b)·(b·d + 1)·log1p(b·d/β) − α·d     for d &lt; β
    ///       = γ·d + γ/b − α·β                         otherwise
    /// ρ′(x) = sign(x)·(α·log1p(b·d/β) + α(1 − β)/(b·d + β))   for d &lt; β,   γ·sign(x) otherwise
    /// ρ″(x) = α·b·(b·d + 2β − 1)/(b·d + β)²                    for d &lt; β,   0 otherwise
    /// </code>
    /// Rearranged from mmdetection's expression so that nothing cancels for small d (see <see cref="Value"/>), with log1p where
    /// mmdetection writes log(… + 1); ρ″ from its closed form, so that at x = 0 it is α·b (β = 1), where autograd's derivative
    /// of sign(x)·(…) would give 0.
    /// </summary>
    internal readonly struct BalancedL1 : ISmoothLoss<BalancedL1>
    {
        private readonly double alpha;
        private readonly double gamma;
        private readonly double beta;
        private readonly double b;

        private BalancedL1(double alpha, double gamma, double beta)
        {
            this.alpha = alpha;
            this.gamma = gamma;
            this.beta = beta;
            b = Math.Exp(gamma / alpha) - 1;
        }

        /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the argument unless α, γ and β are positive and finite (and e^(γ/α) is finite).</summary>
        public static BalancedL1 Of(double alpha, double gamma, double beta)
        {
            Positive(alpha, nameof(alpha));
            Positive(gamma, nameof(gamma));
            Positive(beta, nameof(beta));
            if (double.IsInfinity(Math.Exp(gamma / alpha)))
                throw new ArgumentOutOfRangeException(nameof(gamma), gamma,
                    $"gamma/alpha = {gamma / alpha} makes b = e^(gamma/alpha) − 1 overflow; use gamma/alpha below 709 (mmdetection's default is 1.5/0.5 = 3).");
            return new BalancedL1(alpha, gamma, beta);
        }

        private static void Positive(double value, string name)
        {
            if (!(value > 0) || double.IsInfinity(value))
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite; got {value}.");
        }

        /// <inheritdoc/>
        public bool ResultHasInputDtype => false;

        /// <inheritdoc/>
        public Tensor[] Tensors => Array.Empty<Tensor>();

        /// <inheritdoc/>
        public BalancedL1 WithTensors(Tensor[] tensors) => this;

        /// <inheritdoc/>
        public BalancedL1 Prepared(Tensor input, long[] lossShape) => this;

        /// <inheritdoc/>
        public bool HasLearnableParameters => false;

        /// <inheritdoc/>
        public Tensor Value(Tensor residual)
        {
            // Inside, with v = b·d/β: ρ = (α/b)·(β·Q(v) + (1 − β)·log1p(v)), Q(v) = (1 + v)·log1p(v) − v, which is mmdetection's
            // (α/b)(b·d + 1)·log(b·d/β + 1) − α·d rearranged so that nothing cancels for small d (ρ ≈ ½α·b·d² at β = 1).
            using var scope = torch.NewDisposeScope();
            var d = residual.abs();
            var inside = Less(d, beta);
            var v = Mul(d, b / beta);
            var logarithm = v.log1p();
            var q = Polynomial(v, QSeries).mul_(v).mul_(v);
            var qDirect = Add(v, 1.0).mul_(logarithm).sub_(v);
            q = torch.where(Less(v, QSeriesBelow), q, qDirect);
            using var outer = beta.ToScalar();
            using var lower = (1 - beta).ToScalar();
            using var ratio = (alpha / b).ToScalar();
            var near = q.mul_(outer).add_(logarithm, lower).mul_(ratio);
            var far = Add(Mul(d, gamma), gamma / b - alpha * beta);
            return torch.where(inside, near, far).MoveToOuterDisposeScope();
        }

        /// <inheritdoc/>
        public Tensor Derivative(Tensor residual) => SmoothDerivative.Of(this, residual);

        /// <inheritdoc/>
        public Tensor FirstDerivative(Tensor residual)
        {
            using var scope = torch.NewDisposeScope();
            var d = residual.abs();
            var inside = Less(d, beta);
            var bd = Mul(d, b);
            using var correction = (alpha * (1 - beta)).ToScalar();
            var near = Mul(Div(bd, beta).log1p(), alpha).add(Add(bd, beta).reciprocal(), correction);
            return torch.where(inside, near, Full(near, gamma)).mul(residual.sign()).MoveToOuterDisposeScope();
        }

        /// <inheritdoc/>
        public Tensor SecondDerivative(Tensor residual)
        {
            using var scope = torch.NewDisposeScope();
            var d = residual.abs();
            var inside = Less(d, beta);
            var bd = Mul(d, b);
            var denominator = Add(bd, beta);
            var near = Add(bd, 2 * beta - 1).mul(Mul(denominator.mul(denominator).reciprocal(), alpha * b));
            return Where(inside.logical_not(), 0.0, near).MoveToOuterDisposeScope();
        }

        /// <summary>Q(v) = (1 + v)·log1p(v) − v = v²·Σ (−1)ᵏ vᵏ/((k + 2)(k + 1)) below <see cref="QSeriesBelow"/> (relative error below 1e-17 there).</summary>
        private static readonly double[] QSeries = BuildQSeries();

        private const double QSeriesBelow = 0.1;

        private static double[] BuildQSeries()
        {
            var coefficients = new double[16];
            for (int k = 0; k < coefficients.Length; k++)
                coefficients[k] = (k % 2 == 0 ? 1.0 : -1.0) / ((k + 2.0) * (k + 1.0));
            return coefficients;
        }
    }

#pragma warning disable CS8981 // lowercase on purpose, like torch.nn.functional
    public static partial class functional
#pragma warning restore CS8981
    {
        /// <summary>
        /// Balanced L1 loss (Libra R-CNN), mmdetection's formula and defaults: with x = input − target, d = |x| and
        /// b = e^(γ/α) − 1, ℓ = (α/b)(b·d + 1)·log(b·d/β + 1) − α·d for d &lt; β, else γ·d + γ/b − α·β. Its gradient
        /// α·log(b·d + 1) (at β = 1) lifts small errors' gradient above Smooth L1's, and is γ beyond β.
        /// Then loss = reduce(weight · ℓ) as for <see cref="huber_loss(Tensor, Tensor, double, nn.Reduction, Tensor?, LossNormalizer?)"/>;
        /// mmdetection's <c>avg_factor</c> is <paramref name="normalizer"/>.
        /// See <see href="https://arxiv.org/abs/1904.02701">Libra R-CNN</see> and mmdetection's <c>BalancedL1Loss</c>.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of any shape.</param>
        /// <param name="target">Targets on input's device, broadcastable with it.</param>
        /// <param name="alpha">α &gt; 0, the gradient lift of inliers (default 0.5).</param>
        /// <param name="gamma">γ &gt; 0, the gradient of outliers (default 1.5).</param>
        /// <param name="beta">β &gt; 0, where the loss turns linear (default 1.0).</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        /// <param name="weight">Optional per-element weights, broadcastable to the loss.</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only: a number or a 0-d tensor.</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the broadcast shape for None.</returns>
        public static Tensor balanced_l1_loss(Tensor input, Tensor target, double alpha = 0.5, double gamma = 1.5, double beta = 1.0,
            nn.Reduction reduction = nn.Reduction.Mean, Tensor? weight = null, LossNormalizer? normalizer = null)
            => LossEngine.Compute(BalancedL1.Of(alpha, gamma, beta), input, target, reduction, weight, normalizer, "balanced_l1_loss");
    }

    /// <summary>
    /// Balanced L1 loss (Libra R-CNN) as a module, mmdetection's <c>BalancedL1Loss</c> formula and defaults.
    /// See <see cref="functional.balanced_l1_loss(Tensor, Tensor, double, double, double, nn.Reduction, Tensor?, LossNormalizer?)"/>.
    /// </summary>
    public sealed class BalancedL1Loss : Loss<Tensor, Tensor, Tensor>
    {
        private readonly BalancedL1 definition;

        /// <summary>Creates the loss. Throws <see cref="ArgumentOutOfRangeException"/> unless α, γ and β are positive and finite.</summary>
        /// <param name="alpha">α &gt; 0, the gradient lift of inliers.</param>
        /// <param name="gamma">γ &gt; 0, the gradient of outliers.</param>
        /// <param name="beta">β &gt; 0, where the loss turns linear.</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        public BalancedL1Loss(double alpha = 0.5, double gamma = 1.5, double beta = 1.0, nn.Reduction reduction = nn.Reduction.Mean) : base(reduction)
        {
            definition = BalancedL1.Of(alpha, gamma, beta);
            this.alpha = alpha;
            this.gamma = gamma;
            this.beta = beta;
        }

        /// <summary>α, the gradient lift of inliers.</summary>
        public double alpha { get; }

        /// <summary>γ, the gradient of outliers.</summary>
        public double gamma { get; }

        /// <summary>β, where the loss turns linear.</summary>
        public double beta { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>, reduced as configured.</summary>
        /// <param name="input">Predictions: a floating-point tensor.</param>
        /// <param name="target">Targets, broadcastable with input.</param>
        /// <returns>A new tensor.</returns>
        public override Tensor forward(Tensor input, Tensor target)
            => LossEngine.Compute(definition, input, target, reduction, null, null, "balanced_l1_loss");

        /// <summary>The weighted loss: reduce(weight · ℓ), Mean dividing by <paramref name="normalizer"/> (mmdetection's avg_factor) when given.</summary>
        /// <param name="input">Predictions: a floating-point tensor.</param>
        /// <param name="target">Targets, broadcastable with input.</param>
        /// <param name="weight">Per-element weights broadcastable to the loss, or null.</param>
        /// <param name="normalizer">Divisor of the summed loss for Mean (a number or a 0-d tensor), or null for the element count.</param>
        /// <returns>A new tensor.</returns>
        public Tensor forward(Tensor input, Tensor target, Tensor? weight, LossNormalizer? normalizer = null)
            => LossEngine.Compute(definition, input, target, reduction, weight, normalizer, "balanced_l1_loss");
    }
}
