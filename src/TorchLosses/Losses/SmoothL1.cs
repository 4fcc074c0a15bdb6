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
    /// Smooth L1 loss, the definition the engine runs: with x = input − target and c = clamp(x, −β, β),
    /// ρ(x) = (x − c/2)·(c/β), which is ½x²/β for |x| &lt; β and |x| − ½β beyond; ρ′(x) = c/β (exactly ±1 beyond β);
    /// ρ″(x) = 1/β for |x| &lt; β, else 0. β = 0 is exactly L1: ρ = |x|, ρ′ = sign(x) (0 at x = 0), ρ″ = 0.
    /// At β = 1 (the default) c/β is c, with no division. In float32 and float64 these give the bits of libtorch's kernel
    /// for β a power of two, and within 2 ulp otherwise (docs/parity.md); x − c/2 is one fused multiply-add in both forms.
    /// β is one number or a tensor broadcastable to the loss (one β per coordinate; 0 entries are L1), a constant of the graph.
    /// </summary>
    internal readonly struct SmoothL1 : IPointwiseLoss<SmoothL1>
    {
        private readonly Threshold beta;

        private SmoothL1(Threshold beta) => this.beta = beta;

        /// <summary>Smooth L1 with one β. Throws <see cref="ArgumentOutOfRangeException"/> naming <c>beta</c> for β &lt; 0 or NaN; 0 is L1, +∞ is 0.</summary>
        public static SmoothL1 Of(double beta) => new(Threshold.Of(beta, nameof(beta), zeroAllowed: true));

        /// <summary>Smooth L1 with one β per coordinate (checked against the call by <see cref="Prepared"/>).</summary>
        public static SmoothL1 Of(Tensor beta) => new(Threshold.Of(beta, nameof(beta), zeroAllowed: true));

        /// <summary>One β that is 0 in <paramref name="dtype"/> (given as 0, or below the dtype's smallest subnormal): exactly L1.</summary>
        private bool IsL1(ScalarType dtype) => beta.Tensor is null && beta.Number.For(dtype) == 0;

        /// <summary>Whether ρ′ = c/β needs the division (not at β = 1, where c/β is c).</summary>
        private bool Divides => beta.Tensor is not null || beta.Number.Value != 1;

        /// <inheritdoc/>
        public bool ResultHasInputDtype => false;

        /// <inheritdoc/>
        public Tensor[] Tensors => beta.Tensors;

        /// <inheritdoc/>
        public SmoothL1 WithTensors(Tensor[] tensors) => new(beta.WithTensors(tensors));

        /// <inheritdoc/>
        public SmoothL1 Prepared(Tensor input, long[] lossShape) => new(beta.Prepared(input, lossShape));

        /// <inheritdoc/>
        public Tensor Value(Tensor residual)
        {
            if (IsL1(residual.dtype))
                return residual.abs_();
            using var minusHalf = (-0.5).ToScalar();
            var c = beta.Clamp(residual);
            var slope = Slope(residual, c);
            return residual.add_(c, minusHalf).mul_(slope);
        }

        /// <inheritdoc/>
        public Tensor Derivative(Tensor residual)
        {
            if (IsL1(residual.dtype))
                return residual.sign(); // sign's derivative is 0: ρ″ = 0
            if (!residual.requires_grad)
                return Slope(residual, beta.Clamp(residual));
            // Recorded: x/β inside the open interval (derivative 1/β), the constant c/β at and beyond ±β (derivative 0), which
            // is libtorch's smooth_l1_loss_double_backward; c equals x inside, so the values are c/β's. Where β = 0 (tensor β),
            // the constant sign(x); there the divisor is 1, so that the unselected branch's gradient stays 0, not 0/0.
            Tensor clamped;
            using (torch.no_grad())
                clamped = beta.Clamp(residual);
            using var inside = beta.Inside(residual);
            var quadratic = torch.where(inside, residual, clamped);
            if (beta.Tensor is null)
            {
                if (!Divides)
                    return quadratic;
                using var divisor = Divisor(residual.dtype).ToScalar();
                return quadratic.div(divisor);
            }
            Tensor isL1, safeBetas, sign;
            using (torch.no_grad())
            {
                using var zero = 0.0.ToScalar();
                using var one = 1.0.ToScalar();
                isL1 = beta.Tensor.eq(zero);
                safeBetas = beta.Tensor.masked_fill(isL1, one);
                sign = residual.sign();
            }
            return torch.where(isL1, sign, quadratic.div(safeBetas));
        }

        /// <inheritdoc/>
        public bool Vectorizes(ScalarType dtype) => beta.Tensor is null;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)] // inlined into the kernels' optimised loops from the first call
        public T Value<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (beta.Number.In<T>() == T.Zero)
                return T.Abs(x);
            var c = VectorMath.Clamp(x, -beta.Number.In<T>(), beta.Number.In<T>());
            return VectorMath.MultiplyAdd(c, T.CreateTruncating(-0.5), x) * (Divides ? c / beta.Number.In<T>() : c);
        }

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)] // inlined into the kernels' optimised loops from the first call
        public Vector<T> Value<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (beta.Number.In<T>() == T.Zero)
                return Vector.Abs(x);
            var c = VectorMath.Clamp(x, -beta.Number.In<T>(), beta.Number.In<T>());
            return VectorMath.MultiplyAdd(c, new Vector<T>(T.CreateTruncating(-0.5)), x) * (Divides ? c / new Vector<T>(beta.Number.In<T>()) : c);
        }

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)] // inlined into the kernels' optimised loops from the first call
        public T Derivative<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (beta.Number.In<T>() == T.Zero)
                return VectorMath.Sign(x);
            var c = VectorMath.Clamp(x, -beta.Number.In<T>(), beta.Number.In<T>());
            return Divides ? c / beta.Number.In<T>() : c;
        }

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)] // inlined into the kernels' optimised loops from the first call
        public Vector<T> Derivative<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (beta.Number.In<T>() == T.Zero)
                return VectorMath.Sign(x);
            var c = VectorMath.Clamp(x, -beta.Number.In<T>(), beta.Number.In<T>());
            return Divides ? c / new Vector<T>(beta.Number.In<T>()) : c;
        }

        /// <summary>
        /// ρ′ from c = clamp(x, −β, β): c/β (c itself at β = 1), and for a β tensor sign(x) where β = 0 (c/β would be 0/0).
        /// <paramref name="c"/> itself at β = 1, else a new tensor; <paramref name="x"/> and <paramref name="c"/> are read only.
        /// </summary>
        private Tensor Slope(Tensor x, Tensor c)
        {
            if (beta.Tensor is null)
            {
                if (!Divides)
                    return c;
                using var divisor = Divisor(x.dtype).ToScalar();
                return c.div(divisor);
            }
            using var zero = 0.0.ToScalar();
            using var isL1 = beta.Tensor.eq(zero);
            using var sign = x.sign();
            using var quotient = c.div(beta.Tensor);
            return torch.where(isL1, sign, quotient);
        }

        /// <summary>
        /// β as the divisor of c/β: in the half types the clamp bound itself (β rounded to the dtype, as libtorch's clamp rounds
        /// its Scalar), so that c/β is exactly ±1 beyond β even where the rounding is coarse (subnormal β); elsewhere as for clamp.
        /// </summary>
        private double Divisor(ScalarType dtype) =>
            dtype is ScalarType.Float16 or ScalarType.BFloat16 ? beta.Number.In(dtype) : beta.Number.For(dtype);
    }

#pragma warning disable CS8981 // lowercase on purpose, like torch.nn.functional
    public static partial class functional
#pragma warning restore CS8981
    {
        /// <summary>
        /// Smooth L1 loss. With x = input − target (broadcast):
        /// ℓ(x) = ½x²/β if |x| &lt; β, else |x| − ½β; gradient clamp(x, −β, β)/β. β = 0 is exactly L1: ℓ = |x| with
        /// gradient sign(x), 0 at x = 0 (libtorch's kernels give −1 on the CPU and NaN on CUDA there).
        /// Smooth L1 with β equals Huber with δ = β divided by β.
        /// Then loss = reduce(weight · ℓ), Mean dividing by N or by <paramref name="normalizer"/>.
        /// See <see href="https://pytorch.org/docs/stable/generated/torch.nn.functional.smooth_l1_loss.html">torch.nn.functional.smooth_l1_loss</see>.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of any shape.</param>
        /// <param name="target">Targets on input's device, broadcastable with it; another dtype (an integer target, say) is promoted as libtorch promotes it.</param>
        /// <param name="reduction">None, Mean (default) or Sum, as <c>torch.nn.Reduction</c>.</param>
        /// <param name="beta">β ≥ 0, where the loss turns from quadratic to linear; torchvision's Faster R-CNN uses 1/9.</param>
        /// <param name="weight">Optional per-element weights, broadcastable to the loss.</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only, a number or a 0-d tensor (torchvision: the number
        /// of sampled RoIs; mmdetection: <c>avg_factor</c>).</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the broadcast shape for None.</returns>
        public static Tensor smooth_l1_loss(Tensor input, Tensor target, nn.Reduction reduction = nn.Reduction.Mean, double beta = 1.0,
            Tensor? weight = null, LossNormalizer? normalizer = null)
            => LossEngine.Compute(SmoothL1.Of(beta), input, target, reduction, weight, normalizer, "smooth_l1_loss");

        /// <summary>
        /// Smooth L1 loss with one β per coordinate: <paramref name="beta"/> is a tensor broadcastable to the loss; entries
        /// of 0 give L1 for that coordinate. β is a constant (no gradient flows into it). On the CPU a negative or NaN
        /// entry throws; on an accelerator such entries make the loss NaN.
        /// Otherwise as <see cref="smooth_l1_loss(Tensor, Tensor, nn.Reduction, double, Tensor?, LossNormalizer?)"/>.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of any shape.</param>
        /// <param name="target">Targets on input's device, broadcastable with it; another dtype (an integer target, say) is promoted as libtorch promotes it.</param>
        /// <param name="beta">β per coordinate, every entry ≥ 0; on input's device.</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        /// <param name="weight">Optional per-element weights, broadcastable to the loss.</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only: a number or a 0-d tensor.</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the broadcast shape for None.</returns>
        public static Tensor smooth_l1_loss(Tensor input, Tensor target, Tensor beta, nn.Reduction reduction = nn.Reduction.Mean,
            Tensor? weight = null, LossNormalizer? normalizer = null)
            => LossEngine.Compute(SmoothL1.Of(beta), input, target, reduction, weight, normalizer, "smooth_l1_loss");
    }

    /// <summary>
    /// Smooth L1 loss as a module, a drop-in for <c>torch.nn.SmoothL1Loss(reduction, beta)</c>:
    /// ℓ(x) = ½x²/β if |x| &lt; β, else |x| − ½β, with x = input − target; gradient clamp(x, −β, β)/β.
    /// β = 0 is exactly L1 (gradient sign(x), 0 at x = 0).
    /// Computed as <see cref="functional"/> computes it: twice differentiable, on any device.
    /// See <see href="https://pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html">torch.nn.SmoothL1Loss</see>.
    /// </summary>
    public sealed class SmoothL1Loss : Loss<Tensor, Tensor, Tensor>
    {
        /// <summary>Creates the loss. Throws <see cref="System.ArgumentOutOfRangeException"/> for β &lt; 0 or NaN.</summary>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        /// <param name="beta">β ≥ 0, where the loss turns from quadratic to linear; torchvision's Faster R-CNN uses 1/9.</param>
        public SmoothL1Loss(nn.Reduction reduction = nn.Reduction.Mean, double beta = 1.0) : base(reduction)
        {
            definition = SmoothL1.Of(beta);
            this.beta = beta;
        }

        private readonly SmoothL1 definition;

        /// <summary>β: the error size where the loss turns from quadratic to linear.</summary>
        public double beta { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>, reduced as configured.</summary>
        /// <param name="input">Predictions: a floating-point tensor.</param>
        /// <param name="target">Targets, broadcastable with input.</param>
        /// <returns>A new tensor.</returns>
        public override Tensor forward(Tensor input, Tensor target)
            => LossEngine.Compute(definition, input, target, reduction, null, null, "smooth_l1_loss");

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
            => LossEngine.Compute(definition, input, target, reduction, weight, normalizer, "smooth_l1_loss");
    }
}
