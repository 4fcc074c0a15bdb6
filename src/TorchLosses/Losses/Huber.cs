using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using TorchLosses.Engine;
using TorchLosses.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// Huber loss, the definition the engine runs: with x = input − target and c = clamp(x, −δ, δ),
    /// ρ(x) = c·(x − c/2), which is ½x² for |x| &lt; δ and δ(|x| − ½δ) beyond; ρ′(x) = c; ρ″(x) = 1 for |x| &lt; δ, else 0.
    /// In float32 and float64 c·(x − c/2) gives the bits of libtorch's ½·x·x and δ·(|x| − ½·δ) (docs/parity.md), and
    /// x − c/2 is one fused multiply-add in both forms, as libtorch's vectorized <c>add(x, c, alpha: −½)</c>.
    /// δ is one number or a tensor broadcastable to the loss (one δ per coordinate), a constant of the graph.
    /// </summary>
    internal readonly struct Huber : IPointwiseLoss<Huber>
    {
        private readonly Threshold delta;

        private Huber(Threshold delta) => this.delta = delta;

        /// <summary>Huber with one δ. Throws <see cref="ArgumentOutOfRangeException"/> naming <c>delta</c> for δ ≤ 0 or NaN; +∞ gives ½x².</summary>
        public static Huber Of(double delta) => new(Threshold.Of(delta, nameof(delta), zeroAllowed: false));

        /// <summary>Huber with one δ per coordinate (checked against the call by <see cref="Prepared"/>).</summary>
        public static Huber Of(Tensor delta) => new(Threshold.Of(delta, nameof(delta), zeroAllowed: false));

        /// <inheritdoc/>
        public bool ResultHasInputDtype => true;

        /// <inheritdoc/>
        public Tensor[] Tensors => delta.Tensors;

        /// <inheritdoc/>
        public Huber WithTensors(Tensor[] tensors) => new(delta.WithTensors(tensors));

        /// <inheritdoc/>
        public Huber Prepared(Tensor input, long[] lossShape) => new(delta.Prepared(input, lossShape));

        /// <inheritdoc/>
        public Tensor Value(Tensor residual)
        {
            using var minusHalf = (-0.5).ToScalar();
            var c = delta.Clamp(residual);
            return residual.add_(c, minusHalf).mul_(c);
        }

        /// <inheritdoc/>
        public Tensor Derivative(Tensor residual)
        {
            Tensor c;
            using (torch.no_grad())
                c = delta.Clamp(residual);
            if (!residual.requires_grad)
                return c;
            // Recorded: x inside the open interval (derivative 1), the constant c at and beyond ±δ (derivative 0), which is
            // libtorch's huber_loss_double_backward; c equals x inside, so the values are c's.
            using var inside = delta.Inside(residual);
            return torch.where(inside, residual, c);
        }

        /// <inheritdoc/>
        public bool Vectorizes(ScalarType dtype) => delta.Tensor is null;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)] // inlined into the kernels' optimised loops from the first call
        public T Value<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var c = VectorMath.Clamp(x, -delta.Number.In<T>(), delta.Number.In<T>());
            return VectorMath.MultiplyAdd(c, T.CreateTruncating(-0.5), x) * c;
        }

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)] // inlined into the kernels' optimised loops from the first call
        public Vector<T> Value<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var c = VectorMath.Clamp(x, -delta.Number.In<T>(), delta.Number.In<T>());
            return VectorMath.MultiplyAdd(c, new Vector<T>(T.CreateTruncating(-0.5)), x) * c;
        }

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)] // inlined into the kernels' optimised loops from the first call
        public T Derivative<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => VectorMath.Clamp(x, -delta.Number.In<T>(), delta.Number.In<T>());

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)] // inlined into the kernels' optimised loops from the first call
        public Vector<T> Derivative<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T> => VectorMath.Clamp(x, -delta.Number.In<T>(), delta.Number.In<T>());
    }

#pragma warning disable CS8981 // lowercase on purpose, like torch.nn.functional
    public static partial class functional
#pragma warning restore CS8981
    {
        /// <summary>
        /// Huber loss. With x = input − target (broadcast):
        /// ℓ(x) = ½x² if |x| &lt; δ, else δ(|x| − ½δ); gradient clamp(x, −δ, δ).
        /// Then loss = reduce(weight · ℓ): None keeps the elementwise loss, Sum adds it up, Mean divides the sum by the
        /// element count N, or by <paramref name="normalizer"/> when given.
        /// See <see href="https://pytorch.org/docs/stable/generated/torch.nn.functional.huber_loss.html">torch.nn.functional.huber_loss</see>.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of any shape.</param>
        /// <param name="target">Targets on input's device, broadcastable with it; another dtype (an integer target, say) is promoted as libtorch promotes it.</param>
        /// <param name="delta">δ &gt; 0, where the loss turns from quadratic to linear. +∞ gives ½x².</param>
        /// <param name="reduction">None, Mean (default) or Sum, as <c>torch.nn.Reduction</c>.</param>
        /// <param name="weight">Optional per-element weights, broadcastable to the loss (for example 0/1 per box coordinate).</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only, a number or a 0-d tensor (no host sync): what torchvision's
        /// Fast R-CNN divides by (the number of sampled RoIs) and mmdetection calls <c>avg_factor</c>.</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the broadcast shape for None.</returns>
        public static Tensor huber_loss(Tensor input, Tensor target, double delta = 1.0, nn.Reduction reduction = nn.Reduction.Mean,
            Tensor? weight = null, LossNormalizer? normalizer = null)
            => LossEngine.Compute(Huber.Of(delta), input, target, reduction, weight, normalizer, "huber_loss");

        /// <summary>
        /// Huber loss with one δ per coordinate: <paramref name="delta"/> is a tensor broadcastable to the loss, for example
        /// shape [4] for boxes of shape [N, 4]. δ is a constant (no gradient flows into it). On the CPU a non-positive or
        /// NaN entry throws; on an accelerator, where checking would need a device sync, such entries make the loss NaN.
        /// Otherwise as <see cref="huber_loss(Tensor, Tensor, double, nn.Reduction, Tensor?, LossNormalizer?)"/>.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of any shape.</param>
        /// <param name="target">Targets on input's device, broadcastable with it; another dtype (an integer target, say) is promoted as libtorch promotes it.</param>
        /// <param name="delta">δ per coordinate, every entry &gt; 0; on input's device.</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        /// <param name="weight">Optional per-element weights, broadcastable to the loss.</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only: a number or a 0-d tensor.</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the broadcast shape for None.</returns>
        public static Tensor huber_loss(Tensor input, Tensor target, Tensor delta, nn.Reduction reduction = nn.Reduction.Mean,
            Tensor? weight = null, LossNormalizer? normalizer = null)
            => LossEngine.Compute(Huber.Of(delta), input, target, reduction, weight, normalizer, "huber_loss");

    }

    /// <summary>
    /// Huber loss as a module, a drop-in for <c>torch.nn.HuberLoss(delta, reduction)</c>:
    /// ℓ(x) = ½x² if |x| &lt; δ, else δ(|x| − ½δ), with x = input − target; gradient clamp(x, −δ, δ).
    /// Computed as <see cref="functional"/> computes it: twice differentiable, on any device.
    /// See <see href="https://pytorch.org/docs/stable/generated/torch.nn.HuberLoss.html">torch.nn.HuberLoss</see>.
    /// </summary>
    public sealed class HuberLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <summary>Creates the loss. Throws <see cref="System.ArgumentOutOfRangeException"/> for δ ≤ 0 or NaN.</summary>
        /// <param name="delta">δ &gt; 0, where the loss turns from quadratic to linear.</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        public HuberLoss(double delta = 1.0, nn.Reduction reduction = nn.Reduction.Mean) : base(reduction)
        {
            definition = Huber.Of(delta);
            this.delta = delta;
        }

        private readonly Huber definition;

        /// <summary>δ: the error size where the loss turns from quadratic to linear.</summary>
        public double delta { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>, reduced as configured.</summary>
        /// <param name="input">Predictions: a floating-point tensor.</param>
        /// <param name="target">Targets, broadcastable with input.</param>
        /// <returns>A new tensor.</returns>
        public override Tensor forward(Tensor input, Tensor target)
            => LossEngine.Compute(definition, input, target, reduction, null, null, "huber_loss");

        /// <summary>
        /// The weighted loss: reduce(weight · ℓ), Mean dividing by <paramref name="normalizer"/> when given
        /// (for example the number of sampled RoIs, as torchvision's Fast R-CNN does) instead of the element count.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor.</param>
        /// <param name="target">Targets, broadcastable with input.</param>
        /// <param name="weight">Per-element weights broadcastable to the loss, or null.</param>
        /// <param name="normalizer">Divisor of the summed loss for Mean (a number or a 0-d tensor), or null for the element count.</param>
        /// <returns>A new tensor.</returns>
        public Tensor forward(Tensor input, Tensor target, Tensor? weight, LossNormalizer? normalizer = null)
            => LossEngine.Compute(definition, input, target, reduction, weight, normalizer, "huber_loss");
    }
}
