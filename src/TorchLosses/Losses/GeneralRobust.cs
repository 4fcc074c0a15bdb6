using System;
using TorchLosses.Engine;
using TorchSharp;
using static TorchSharp.torch;
using static TorchLosses.Engine.ScalarOps;

namespace TorchLosses
{
    /// <summary>
    /// Barron's general robust loss (J. T. Barron, "A General and Adaptive Robust Loss Function", CVPR 2019), the definition
    /// the engine runs. With u = x/c, z = u² and b = |α − 2|:
    /// <code>
    /// ρ(x, α, c) = (b/α)·((z/b + 1)^(α/2) − 1)                 computed as (b/α)·expm1((α/2)·log1p(z/b))
    ///            = ½z (α = 2),  log1p(½z) (α = 0),  1 − exp(−½z) (α = −∞),  exp(½z) − 1 (α = +∞)
    /// ∂ρ/∂x     = (x/c²)·(z/b + 1)^(α/2 − 1)                   computed as (u/c)·exp((α/2 − 1)·log1p(z/b))
    /// ∂²ρ/∂x²   = (1/c²)·(z/b + 1)^(α/2 − 1)·(b + (α − 1)z)/(b + z)
    /// ∂ρ/∂c     = −(x/c)·∂ρ/∂x
    /// ∂ρ/∂α     = s·[(L/2)·E(t) − z/(2(b + z))·eᵗ] + b·(L/2)²·E′(t)                     for |α| &lt; ½
    ///           = (b + z)·exp(s·bL/2)·[L/(2α) − (α + 2)/(2α²) + s/(2(b + z))] − 2s/α²   otherwise
    /// </code>
    /// with L = log1p(z/b), t = αL/2, s = sign(α − 2), E(t) = expm1(t)/t and E′ its derivative (a series for |t| &lt; 0.1).
    /// The expm1/log1p form is accurate for every α: robust_loss_pytorch's pow(…) − 1 with a clamped divisor cancels for
    /// 0 &lt; |α| &lt; 1.2e-7. ∂ρ/∂α is finite for every α except α = 2 with x ≠ 0, where it is +∞: ρ grows there like
    /// (z/4)·|α − 2|·log(1/|α − 2|), a vertical tangent in α (robust_loss_pytorch returns a finite number there).
    /// α and c are numbers, or tensors broadcastable to the loss; a tensor that requires a gradient gets one.
    /// </summary>
    internal readonly struct GeneralRobust : ISmoothLoss<GeneralRobust>
    {
        private readonly LossParameter alpha;
        private readonly LossParameter scale;

        private GeneralRobust(LossParameter alpha, LossParameter scale)
        {
            this.alpha = alpha;
            this.scale = scale;
        }

        /// <summary>One α (any number or ±∞, not NaN) and one scale c (positive, finite); throws <see cref="ArgumentOutOfRangeException"/> naming the argument otherwise.</summary>
        public static GeneralRobust Of(double alpha, double scale) =>
            new(LossParameter.Of(alpha, nameof(alpha), LossParameter.Domain.Extended), LossParameter.Of(scale, nameof(scale), LossParameter.Domain.Positive));

        /// <summary>α and c as tensors broadcastable to the loss (checked against each call).</summary>
        public static GeneralRobust Of(Tensor alpha, Tensor scale) =>
            new(LossParameter.Of(alpha, nameof(alpha), LossParameter.Domain.Extended), LossParameter.Of(scale, nameof(scale), LossParameter.Domain.Positive));

        /// <inheritdoc/>
        public bool ResultHasInputDtype => false;

        /// <inheritdoc/>
        public Tensor[] Tensors => (alpha.Tensor, scale.Tensor) switch
        {
            (null, null) => Array.Empty<Tensor>(),
            ({ } a, null) => new[] { a },
            (null, { } c) => new[] { c },
            ({ } a, { } c) => new[] { a, c },
        };

        /// <inheritdoc/>
        public GeneralRobust WithTensors(Tensor[] tensors)
        {
            int next = 0;
            var newAlpha = alpha.Tensor is null ? alpha : alpha.WithTensor(tensors[next++]);
            var newScale = scale.Tensor is null ? scale : scale.WithTensor(tensors[next]);
            return new GeneralRobust(newAlpha, newScale);
        }

        /// <inheritdoc/>
        public GeneralRobust Prepared(Tensor input, long[] lossShape) => new(alpha.Prepared(input, lossShape), scale.Prepared(input, lossShape));

        /// <inheritdoc/>
        public bool HasLearnableParameters => alpha.Learnable || scale.Learnable;

        /// <inheritdoc/>
        public Tensor Value(Tensor residual)
        {
            using var z = Squared(Scaled(residual));
            return alpha.Tensor is { } a ? ValueAt(a, z) : ValueAt(alpha.Number, z);
        }

        /// <inheritdoc/>
        public Tensor Derivative(Tensor residual) => SmoothDerivative.Of(this, residual);

        /// <inheritdoc/>
        public Tensor FirstDerivative(Tensor residual)
        {
            var u = Scaled(residual);
            var slope = alpha.Tensor is { } a ? SlopeAt(a, Squared(u)) : SlopeAt(alpha.Number, Squared(u));
            return Scaled(u).mul(slope);
        }

        /// <inheritdoc/>
        public Tensor SecondDerivative(Tensor residual)
        {
            var z = Squared(Scaled(residual));
            var curvature = alpha.Tensor is { } a ? CurvatureAt(a, z) : CurvatureAt(alpha.Number, z);
            return Scaled(Scaled(curvature));
        }

        /// <inheritdoc/>
        public Tensor ParameterDerivative(Tensor residual, int index)
        {
            bool isAlpha = alpha.Tensor is not null && index == 0;
            if (isAlpha)
                return AlphaDerivative(alpha.Tensor!, Squared(Scaled(residual)));
            // ∂ρ/∂c = −(x/c)·ρ′(x): ρ depends on x and c through x/c only.
            return Scaled(residual).mul(FirstDerivative(residual)).neg();
        }

        /// <summary>x/c.</summary>
        private Tensor Scaled(Tensor x) => scale.Tensor is { } c ? x.div(c) : scale.Number == 1 ? x.alias() : Div(x, scale.Number);

        private static Tensor Squared(Tensor u) => u.mul(u);

        // ---- one α (a number): the branch is chosen on the host ----

        private static Tensor ValueAt(double a, Tensor z)
        {
            if (a == 2)
                return Mul(z, 0.5);
            if (a == 0)
                return Mul(z, 0.5).log1p_();
            if (double.IsNegativeInfinity(a))
                return Mul(z, -0.5).expm1_().neg_();
            if (double.IsPositiveInfinity(a))
                return Mul(z, 0.5).expm1_();
            double b = Math.Abs(a - 2);
            using var half = (a / 2).ToScalar();
            using var factor = (b / a).ToScalar();
            return Div(z, b).log1p_().mul_(half).expm1_().mul_(factor);
        }

        /// <summary>(z/b + 1)^(α/2 − 1), the factor of ρ′ = (x/c²)·slope.</summary>
        private static Tensor SlopeAt(double a, Tensor z)
        {
            if (a == 2)
                return Full(z, 1.0);
            if (double.IsInfinity(a))
                return Mul(z, a > 0 ? 0.5 : -0.5).exp();
            double b = Math.Abs(a - 2);
            return Mul(Div(z, b).log1p(), a / 2 - 1).exp();
        }

        /// <summary>(z/b + 1)^(α/2 − 1)·(b + (α − 1)z)/(b + z), the factor of ρ″ = curvature/c².</summary>
        private static Tensor CurvatureAt(double a, Tensor z)
        {
            if (a == 2)
                return Full(z, 1.0);
            if (double.IsInfinity(a))
                return a > 0 ? Mul(z, 0.5).exp().mul(Add(z, 1.0)) : Mul(z, -0.5).exp().mul(SubtractFrom(1.0, z));
            double b = Math.Abs(a - 2);
            var numerator = Add(Mul(z, a - 1), b);
            return SlopeAt(a, z).mul(numerator).div(Add(z, b));
        }

        // ---- α per element (a tensor): every branch is computed where it is finite and selected by where ----

        private static Tensor ValueAt(Tensor a, Tensor z)
        {
            using var scope = torch.NewDisposeScope();
            var special = new Specials(a);
            // The generic branch at α = 1 wherever α is special, so it stays finite (and its gradient 0) where it is not taken.
            var generic = special.Excluding(special.Zero);
            var b = Add(generic, -2.0).abs();
            var rho = z.div(b).log1p().mul(Mul(generic, 0.5)).expm1().mul(b.div(generic));
            var zInfinite = Where(special.Infinite.logical_not(), 0.0, z);
            var infinite = torch.where(Greater(a, 0.0), Mul(zInfinite, 0.5).expm1(), Mul(zInfinite, -0.5).expm1().neg());
            rho = torch.where(special.Infinite, infinite, rho);
            rho = torch.where(special.Zero, Mul(z, 0.5).log1p(), rho);
            rho = torch.where(special.Two, Mul(z, 0.5), rho);
            return rho.MoveToOuterDisposeScope();
        }

        private static Tensor SlopeAt(Tensor a, Tensor z)
        {
            using var scope = torch.NewDisposeScope();
            var special = new Specials(a);
            var generic = special.Excluding();
            var b = Add(generic, -2.0).abs();
            var slope = z.div(b).log1p().mul(Add(Mul(generic, 0.5), -1.0)).exp();
            var zInfinite = Where(special.Infinite.logical_not(), 0.0, z);
            var infinite = torch.where(Greater(a, 0.0), Mul(zInfinite, 0.5).exp(), Mul(zInfinite, -0.5).exp());
            slope = torch.where(special.Infinite, infinite, slope);
            slope = Where(special.Two, 1.0, slope);
            return slope.MoveToOuterDisposeScope();
        }

        private static Tensor CurvatureAt(Tensor a, Tensor z)
        {
            using var scope = torch.NewDisposeScope();
            var special = new Specials(a);
            var generic = special.Excluding();
            var b = Add(generic, -2.0).abs();
            var slope = z.div(b).log1p().mul(Add(Mul(generic, 0.5), -1.0)).exp();
            var curvature = slope.mul(b.add(z.mul(Add(generic, -1.0)), One)).div(b.add(z, One));
            var zInfinite = Where(special.Infinite.logical_not(), 0.0, z);
            var infinite = torch.where(Greater(a, 0.0),
                Mul(zInfinite, 0.5).exp().mul(Add(zInfinite, 1.0)),
                Mul(zInfinite, -0.5).exp().mul(SubtractFrom(1.0, zInfinite)));
            curvature = torch.where(special.Infinite, infinite, curvature);
            curvature = Where(special.Two, 1.0, curvature);
            return curvature.MoveToOuterDisposeScope();
        }

        /// <summary>∂ρ/∂α, elementwise (see the type's summary for the two forms and why).</summary>
        private static Tensor AlphaDerivative(Tensor a, Tensor z)
        {
            using var scope = torch.NewDisposeScope();
            var special = new Specials(a);
            var nearZero = Less(a.abs(), 0.5);

            // |α| < ½, through E(t) = expm1(t)/t, which has no cancellation as α → 0.
            var aNear = Where(nearZero.logical_not(), 0.0, a);
            var bNear = SubtractFrom(2.0, aNear);
            var lNear = z.div(bNear).log1p();
            var t = aNear.mul(lNear).mul(Half);
            var halfL = Mul(lNear, 0.5);
            var near = halfL.mul(Exprel(t)).sub(z.div(Mul(bNear.add(z, One), 2.0)).mul(t.exp())).neg()
                .add(bNear.mul(halfL).mul(halfL).mul(ExprelDerivative(t)), One);

            // Elsewhere, through (b + z)·exp(s·bL/2) = b·eᵗ, finite as α → 2 (only L itself diverges there).
            var aFar = Where(nearZero.logical_or(special.Two).logical_or(special.Infinite), 1.0, a);
            var s = Add(aFar, -2.0).sign();
            var bFar = Add(aFar, -2.0).abs();
            var lFar = z.div(bFar).log1p();
            var bPlusZ = bFar.add(z, One);
            var power = bPlusZ.mul(s.mul(bFar).mul(lFar).mul(Half).exp());
            var bracket = lFar.div(Mul(aFar, 2.0))
                .sub(Add(aFar, 2.0).div(Mul(aFar.mul(aFar), 2.0)))
                .add(s.div(Mul(bPlusZ, 2.0)), One);
            var far = power.mul(bracket).sub(Mul(s, 2.0).div(aFar.mul(aFar)));

            var derivative = torch.where(nearZero, near, far);
            derivative = Where(special.Infinite, 0.0, derivative);
            var atTwo = Where(Greater(z, 0.0), double.PositiveInfinity, torch.zeros_like(z));
            derivative = torch.where(special.Two, atTwo, derivative);
            return derivative.MoveToOuterDisposeScope();
        }

        /// <summary>E(t) = expm1(t)/t, E(0) = 1.</summary>
        private static Tensor Exprel(Tensor t)
        {
            var zero = Equal(t, 0.0);
            var safe = Where(zero, 1.0, t);
            return Where(zero, 1.0, safe.expm1().div(safe));
        }

        /// <summary>E′(t) = (t·eᵗ − expm1(t))/t², by its Taylor series Σ (k + 1)tᵏ/(k + 2)! for |t| &lt; 0.1 (relative error below 1e-16), where the closed form cancels.</summary>
        private static Tensor ExprelDerivative(Tensor t)
        {
            var small = Less(t.abs(), 0.1);
            var safe = Where(small, 1.0, t);
            var closed = safe.mul(safe.exp()).sub(safe.expm1()).div(safe.mul(safe));
            var series = Polynomial(Where(small.logical_not(), 0.0, t), SeriesCoefficients);
            return torch.where(small, series, closed);
        }

        private static readonly double[] SeriesCoefficients = BuildSeries();

        private static double[] BuildSeries()
        {
            var coefficients = new double[12];
            double factorial = 2; // (k + 2)!
            for (int k = 0; k < coefficients.Length; k++)
            {
                coefficients[k] = (k + 1) / factorial;
                factorial *= k + 3;
            }
            return coefficients;
        }

        private static readonly Scalar Half = 0.5.ToScalar();

        /// <summary>The special values of a per-element α, where the generic formulas are replaced by their limits.</summary>
        private readonly struct Specials
        {
            public Specials(Tensor a)
            {
                Alpha = a;
                Two = Equal(a, 2.0);
                Zero = Equal(a, 0.0);
                Infinite = a.isinf();
            }

            private Tensor Alpha { get; }

            public Tensor Two { get; }

            public Tensor Zero { get; }

            public Tensor Infinite { get; }

            /// <summary>α with 1 wherever α is 2 or ±∞ (and wherever <paramref name="also"/> holds).</summary>
            public Tensor Excluding(Tensor? also = null)
            {
                var mask = Two.logical_or(Infinite);
                if (also is not null)
                    mask = mask.logical_or(also);
                return Where(mask, 1.0, Alpha);
            }
        }
    }

#pragma warning disable CS8981 // lowercase on purpose, like torch.nn.functional
    public static partial class functional
#pragma warning restore CS8981
    {
        /// <summary>
        /// Barron's general robust loss (CVPR 2019). With x = input − target, u = x/c and b = |α − 2|:
        /// ℓ(x) = (b/α)·((u²/b + 1)^(α/2) − 1), which is ½u² at α = 2 (L2), √(u² + 1) − 1 at α = 1 (pseudo-Huber/Charbonnier),
        /// log(½u² + 1) at α = 0 (Cauchy/Lorentzian), 2u²/(u² + 4) at α = −2 (Geman-McClure) and 1 − exp(−½u²) at α = −∞ (Welsch);
        /// for α &lt; 0 it is bounded by (α − 2)/α. Gradient (x/c²)·(u²/b + 1)^(α/2 − 1), at most 1/c in size for α ≤ 1.
        /// Accurate for every α, including 0 &lt; |α| &lt; 1.2e-7 where the reference implementation (robust_loss_pytorch) cancels.
        /// Then loss = reduce(weight · ℓ) as for <see cref="huber_loss(Tensor, Tensor, double, nn.Reduction, Tensor?, LossNormalizer?)"/>.
        /// See J. T. Barron, <see href="https://arxiv.org/abs/1701.03077">A General and Adaptive Robust Loss Function</see>.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of any shape.</param>
        /// <param name="target">Targets on input's device, broadcastable with it.</param>
        /// <param name="alpha">α, the shape: any number or ±∞ (not NaN).</param>
        /// <param name="scale">c &gt; 0, the size of the quadratic bowl near x = 0.</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        /// <param name="weight">Optional per-element weights, broadcastable to the loss.</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only: a number or a 0-d tensor.</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the broadcast shape for None.</returns>
        public static Tensor general_robust_loss(Tensor input, Tensor target, double alpha = 1.0, double scale = 1.0,
            nn.Reduction reduction = nn.Reduction.Mean, Tensor? weight = null, LossNormalizer? normalizer = null)
            => LossEngine.Compute(GeneralRobust.Of(alpha, scale), input, target, reduction, weight, normalizer, "general_robust_loss");

        /// <summary>
        /// Barron's general robust loss with α and c as tensors broadcastable to the loss (one per sample or per coordinate).
        /// When either requires a gradient, it gets one: ∂ℓ/∂c = −(x/c)·∂ℓ/∂x, and ∂ℓ/∂α, finite for every α except α = 2 with
        /// x ≠ 0, where the loss has a vertical tangent in α and the gradient is +∞ (keep a learned α below 2, as
        /// <c>AdaptiveRobustLoss</c> does). On the CPU a NaN α or a non-positive or infinite c throws; on an accelerator
        /// such entries make the loss NaN. Otherwise as
        /// <see cref="general_robust_loss(Tensor, Tensor, double, double, nn.Reduction, Tensor?, LossNormalizer?)"/>.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of any shape.</param>
        /// <param name="target">Targets on input's device, broadcastable with it.</param>
        /// <param name="alpha">α per element, broadcastable to the loss; on input's device.</param>
        /// <param name="scale">c per element, broadcastable to the loss, every entry positive and finite; on input's device.</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        /// <param name="weight">Optional per-element weights, broadcastable to the loss.</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only: a number or a 0-d tensor.</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the broadcast shape for None.</returns>
        public static Tensor general_robust_loss(Tensor input, Tensor target, Tensor alpha, Tensor scale,
            nn.Reduction reduction = nn.Reduction.Mean, Tensor? weight = null, LossNormalizer? normalizer = null)
            => LossEngine.Compute(GeneralRobust.Of(alpha, scale), input, target, reduction, weight, normalizer, "general_robust_loss");
    }

    /// <summary>
    /// Barron's general robust loss as a module with a fixed α and scale (see
    /// <see cref="functional.general_robust_loss(Tensor, Tensor, double, double, nn.Reduction, Tensor?, LossNormalizer?)"/>):
    /// ℓ(x) = (|α − 2|/α)·(((x/c)²/|α − 2| + 1)^(α/2) − 1). For α and scale learned per dimension, see <c>AdaptiveRobustLoss</c>.
    /// </summary>
    public sealed class GeneralRobustLoss : Loss<Tensor, Tensor, Tensor>
    {
        private readonly GeneralRobust definition;

        /// <summary>Creates the loss. Throws <see cref="ArgumentOutOfRangeException"/> for a NaN α or a scale that is not positive and finite.</summary>
        /// <param name="alpha">α, the shape: 2 is L2, 1 pseudo-Huber, 0 Cauchy, −2 Geman-McClure, −∞ Welsch.</param>
        /// <param name="scale">c &gt; 0, the size of the quadratic bowl near x = 0.</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        public GeneralRobustLoss(double alpha = 1.0, double scale = 1.0, nn.Reduction reduction = nn.Reduction.Mean) : base(reduction)
        {
            definition = GeneralRobust.Of(alpha, scale);
            this.alpha = alpha;
            this.scale = scale;
        }

        /// <summary>α, the shape of the loss.</summary>
        public double alpha { get; }

        /// <summary>c, the scale of the loss.</summary>
        public double scale { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>, reduced as configured.</summary>
        /// <param name="input">Predictions: a floating-point tensor.</param>
        /// <param name="target">Targets, broadcastable with input.</param>
        /// <returns>A new tensor.</returns>
        public override Tensor forward(Tensor input, Tensor target)
            => LossEngine.Compute(definition, input, target, reduction, null, null, "general_robust_loss");

        /// <summary>The weighted loss: reduce(weight · ℓ), Mean dividing by <paramref name="normalizer"/> when given.</summary>
        /// <param name="input">Predictions: a floating-point tensor.</param>
        /// <param name="target">Targets, broadcastable with input.</param>
        /// <param name="weight">Per-element weights broadcastable to the loss, or null.</param>
        /// <param name="normalizer">Divisor of the summed loss for Mean (a number or a 0-d tensor), or null for the element count.</param>
        /// <returns>A new tensor.</returns>
        public Tensor forward(Tensor input, Tensor target, Tensor? weight, LossNormalizer? normalizer = null)
            => LossEngine.Compute(definition, input, target, reduction, weight, normalizer, "general_robust_loss");
    }
}
