using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using TorchLosses.Engine;
using TorchSharp;
using static TorchSharp.torch;
using static TorchLosses.Engine.ScalarOps;

namespace TorchLosses
{
    /// <summary>
    /// Pseudo-Huber (Charbonnier) loss, the definition the engine runs, in SciPy's convention (<c>scipy.special.pseudo_huber</c>):
    /// with u = x/δ and h = √(1 + u²),
    /// <code>
    /// ρ(x)  = δ²(h − 1) = x²/(h + 1)    computed as x·(x/(h + 1)), which neither cancels for small u nor overflows for large u
    /// ρ′(x) = x/h,   ρ″(x) = 1/h³
    /// </code>
    /// and h as m·√(1 + (n/m)²) with m = max(|u|, 1), n = min(|u|, 1), so that u² cannot overflow. ρ meets Huber's asymptotes:
    /// ½x² near 0 and δ|x| − δ² far out. The vector form makes the same IEEE operations in the same order as the composed ops.
    /// δ is one number or a tensor broadcastable to the loss (one δ per sample, as diffusion schedules use), a constant of the graph.
    /// </summary>
    internal readonly struct PseudoHuber : ISmoothLoss<PseudoHuber>
    {
        private readonly LossParameter delta;
        private readonly RoundedNumber rounded;

        private PseudoHuber(LossParameter delta)
        {
            this.delta = delta;
            rounded = new RoundedNumber(delta.Tensor is null ? delta.Number : 1.0);
        }

        /// <summary>One δ, positive and finite; throws <see cref="ArgumentOutOfRangeException"/> naming <c>delta</c> otherwise.</summary>
        public static PseudoHuber Of(double delta) => new(LossParameter.Of(delta, nameof(delta), LossParameter.Domain.Positive));

        /// <summary>δ per element, broadcastable to the loss (checked against each call).</summary>
        public static PseudoHuber Of(Tensor delta) => new(LossParameter.Of(delta, nameof(delta), LossParameter.Domain.Positive, learnable: false));

        /// <inheritdoc/>
        public bool ResultHasInputDtype => false;

        /// <inheritdoc/>
        public Tensor[] Tensors => delta.Tensors;

        /// <inheritdoc/>
        public PseudoHuber WithTensors(Tensor[] tensors) => new(delta.WithTensor(tensors.Length == 0 ? null : tensors[0]));

        /// <inheritdoc/>
        public PseudoHuber Prepared(Tensor input, long[] lossShape) => new(delta.Prepared(input, lossShape));

        /// <inheritdoc/>
        public bool HasLearnableParameters => false;

        /// <inheritdoc/>
        public Tensor Value(Tensor residual)
        {
            // ρ = x·(x/(h + 1))
            using var h = Root(residual);
            using var one = 1.0.ToScalar();
            h.add_(one, ScalarOps.One);
            return residual.div(h).mul_(residual);
        }

        /// <inheritdoc/>
        public Tensor Derivative(Tensor residual) => SmoothDerivative.Of(this, residual);

        /// <inheritdoc/>
        public Tensor FirstDerivative(Tensor residual)
        {
            using var h = Root(residual);
            return residual.div(h);
        }

        /// <inheritdoc/>
        public Tensor SecondDerivative(Tensor residual)
        {
            var w = Root(residual).reciprocal();
            return w.mul(w).mul(w);
        }

        /// <summary>h = √(1 + u²) as m·√(1 + (n/m)²), m = max(|u|, 1), n = min(|u|, 1): a new tensor.</summary>
        private Tensor Root(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var u = delta.Tensor is { } d ? x.div(d) : rounded.Value == 1 ? x : Div(x, rounded.For(x.dtype));
            var magnitude = u.abs();
            using var one = 1.0.ToScalar();
            var m = magnitude.clamp_min(one);
            var r = magnitude.clamp_max(one).div(m);
            return r.mul(r).add_(one, ScalarOps.One).sqrt_().mul_(m).MoveToOuterDisposeScope();
        }

        /// <inheritdoc/>
        public bool Vectorizes(ScalarType dtype) => delta.Tensor is null;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)] // inlined into the kernels' optimised loops from the first call
        public T Value<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x * (x / (Root(x) + T.One));

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector<T> Value<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T> => x * (x / (Root(x) + Vector<T>.One));

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Derivative<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x / Root(x);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector<T> Derivative<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T> => x / Root(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private T Root<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var u = rounded.Value == 1 ? x : x / rounded.In<T>();
            var magnitude = T.Abs(u);
            var m = VectorMath.Clamp(magnitude, T.One, T.PositiveInfinity);
            var r = VectorMath.Clamp(magnitude, T.NegativeInfinity, T.One) / m;
            return T.Sqrt(r * r + T.One) * m;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector<T> Root<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var u = rounded.Value == 1 ? x : x / new Vector<T>(rounded.In<T>());
            var magnitude = Vector.Abs(u);
            var m = VectorMath.Clamp(magnitude, T.One, T.PositiveInfinity);
            var r = VectorMath.Clamp(magnitude, T.NegativeInfinity, T.One) / m;
            return Vector.SquareRoot(r * r + Vector<T>.One) * m;
        }
    }

#pragma warning disable CS8981 // lowercase on purpose, like torch.nn.functional
    public static partial class functional
#pragma warning restore CS8981
    {
        /// <summary>
        /// Pseudo-Huber (Charbonnier) loss, SciPy's convention: with x = input − target,
        /// ℓ(x) = δ²(√(1 + (x/δ)²) − 1), ½x² near 0 and δ|x| − δ² far out (Huber's asymptotes), smooth everywhere;
        /// gradient x/√(1 + (x/δ)²), at most δ in size. Diffusion trainers' conventions are multiples of it with δ = c: their
        /// <c>huber</c> (diffusers' scheduled Huber, kohya-ss sd-scripts) is 2ℓ, their <c>smooth_l1</c> is (2/c)·ℓ.
        /// Then loss = reduce(weight · ℓ) as for <see cref="huber_loss(Tensor, Tensor, double, nn.Reduction, Tensor?, LossNormalizer?)"/>.
        /// See <see href="https://docs.scipy.org/doc/scipy/reference/generated/scipy.special.pseudo_huber.html">scipy.special.pseudo_huber</see>.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of any shape.</param>
        /// <param name="target">Targets on input's device, broadcastable with it.</param>
        /// <param name="delta">δ &gt; 0 and finite: the error size where the loss turns from quadratic to linear.</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        /// <param name="weight">Optional per-element weights, broadcastable to the loss.</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only: a number or a 0-d tensor.</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the broadcast shape for None.</returns>
        public static Tensor pseudo_huber_loss(Tensor input, Tensor target, double delta = 1.0, nn.Reduction reduction = nn.Reduction.Mean,
            Tensor? weight = null, LossNormalizer? normalizer = null)
            => LossEngine.Compute(PseudoHuber.Of(delta), input, target, reduction, weight, normalizer, "pseudo_huber_loss");

        /// <summary>
        /// Pseudo-Huber loss with δ a tensor broadcastable to the loss: one δ per sample (shape [N, 1, …], as diffusion
        /// schedules give one per timestep) or per coordinate. δ is a constant (no gradient flows into it). On the CPU a
        /// non-positive, infinite or NaN entry throws; on an accelerator such entries make the loss NaN.
        /// Otherwise as <see cref="pseudo_huber_loss(Tensor, Tensor, double, nn.Reduction, Tensor?, LossNormalizer?)"/>.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of any shape.</param>
        /// <param name="target">Targets on input's device, broadcastable with it.</param>
        /// <param name="delta">δ per element, every entry positive and finite; on input's device.</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        /// <param name="weight">Optional per-element weights, broadcastable to the loss.</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only: a number or a 0-d tensor.</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the broadcast shape for None.</returns>
        public static Tensor pseudo_huber_loss(Tensor input, Tensor target, Tensor delta, nn.Reduction reduction = nn.Reduction.Mean,
            Tensor? weight = null, LossNormalizer? normalizer = null)
            => LossEngine.Compute(PseudoHuber.Of(delta), input, target, reduction, weight, normalizer, "pseudo_huber_loss");
    }

    /// <summary>
    /// Pseudo-Huber (Charbonnier) loss as a module: ℓ(x) = δ²(√(1 + (x/δ)²) − 1), with x = input − target (SciPy's convention).
    /// See <see cref="functional.pseudo_huber_loss(Tensor, Tensor, double, nn.Reduction, Tensor?, LossNormalizer?)"/>.
    /// </summary>
    public sealed class PseudoHuberLoss : Loss<Tensor, Tensor, Tensor>
    {
        private readonly PseudoHuber definition;

        /// <summary>Creates the loss. Throws <see cref="ArgumentOutOfRangeException"/> for δ that is not positive and finite.</summary>
        /// <param name="delta">δ &gt; 0: the error size where the loss turns from quadratic to linear.</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        public PseudoHuberLoss(double delta = 1.0, nn.Reduction reduction = nn.Reduction.Mean) : base(reduction)
        {
            definition = PseudoHuber.Of(delta);
            this.delta = delta;
        }

        /// <summary>δ: the error size where the loss turns from quadratic to linear.</summary>
        public double delta { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>, reduced as configured.</summary>
        /// <param name="input">Predictions: a floating-point tensor.</param>
        /// <param name="target">Targets, broadcastable with input.</param>
        /// <returns>A new tensor.</returns>
        public override Tensor forward(Tensor input, Tensor target)
            => LossEngine.Compute(definition, input, target, reduction, null, null, "pseudo_huber_loss");

        /// <summary>The weighted loss: reduce(weight · ℓ), Mean dividing by <paramref name="normalizer"/> when given.</summary>
        /// <param name="input">Predictions: a floating-point tensor.</param>
        /// <param name="target">Targets, broadcastable with input.</param>
        /// <param name="weight">Per-element weights broadcastable to the loss, or null.</param>
        /// <param name="normalizer">Divisor of the summed loss for Mean (a number or a 0-d tensor), or null for the element count.</param>
        /// <returns>A new tensor.</returns>
        public Tensor forward(Tensor input, Tensor target, Tensor? weight, LossNormalizer? normalizer = null)
            => LossEngine.Compute(definition, input, target, reduction, weight, normalizer, "pseudo_huber_loss");
    }
}
