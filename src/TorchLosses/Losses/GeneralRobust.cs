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
    /// ∂ρ/∂α     = Σₖ cₖ′(α)·zᵏ  (ρ = Σₖ cₖ(α)·zᵏ, c₁ = ½, cₖ₊₁ = cₖ·(α/2 − k)/((k + 1)b))  for z/b &lt; 0.1 and z &lt; 4
    ///           = s·[(L/2)·E(t) − z/(2(b + z))·eᵗ] + b·(L/2)²·E′(t)                     for b ≥ 0.05
    ///           = (b + z)·e^(s·bL/2)·L/(2α) − (α + 2)/(2α²)·(z·e^(s·bL/2) + b·M) + (s/2)·M,  M = expm1(s·bL/2),  otherwise (α near 2)
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
            new(LossParameter.Of(alpha, nameof(alpha), LossParameter.Domain.Extended, learnable: true),
                LossParameter.Of(scale, nameof(scale), LossParameter.Domain.Positive, learnable: true));

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
            if (special.AnyPlusInfinity)
                rho = torch.where(special.PlusInfinity, Mul(special.OnlyWhere(special.PlusInfinity, z), 0.5).expm1(), rho);
            if (special.AnyMinusInfinity)
                rho = torch.where(special.MinusInfinity, Mul(special.OnlyWhere(special.MinusInfinity, z), -0.5).expm1().neg(), rho);
            if (special.AnyZero)
                rho = torch.where(special.Zero, Mul(z, 0.5).log1p(), rho);
            if (special.AnyTwo)
                rho = torch.where(special.Two, Mul(z, 0.5), rho);
            return rho.MoveToOuterDisposeScope();
        }

        private static Tensor SlopeAt(Tensor a, Tensor z)
        {
            using var scope = torch.NewDisposeScope();
            var special = new Specials(a);
            var generic = special.Excluding();
            var b = Add(generic, -2.0).abs();
            var slope = GenericSlope(generic, b, z);
            if (special.AnyPlusInfinity)
                slope = torch.where(special.PlusInfinity, Mul(special.OnlyWhere(special.PlusInfinity, z), 0.5).exp(), slope);
            if (special.AnyMinusInfinity)
                slope = torch.where(special.MinusInfinity, Mul(special.OnlyWhere(special.MinusInfinity, z), -0.5).exp(), slope);
            if (special.AnyTwo)
                slope = Where(special.Two, 1.0, slope);
            return slope.MoveToOuterDisposeScope();
        }

        private static Tensor CurvatureAt(Tensor a, Tensor z)
        {
            using var scope = torch.NewDisposeScope();
            var special = new Specials(a);
            var generic = special.Excluding();
            var b = Add(generic, -2.0).abs();
            var curvature = GenericSlope(generic, b, z).mul(b.add(z.mul(Add(generic, -1.0)), One)).div(b.add(z, One));
            if (special.AnyPlusInfinity)
            {
                var zPlus = special.OnlyWhere(special.PlusInfinity, z);
                curvature = torch.where(special.PlusInfinity, Mul(zPlus, 0.5).exp().mul(Add(zPlus, 1.0)), curvature);
            }
            if (special.AnyMinusInfinity)
            {
                var zMinus = special.OnlyWhere(special.MinusInfinity, z);
                curvature = torch.where(special.MinusInfinity, Mul(zMinus, -0.5).exp().mul(SubtractFrom(1.0, zMinus)), curvature);
            }
            if (special.AnyTwo)
                curvature = Where(special.Two, 1.0, curvature);
            return curvature.MoveToOuterDisposeScope();
        }

        /// <summary>(z/b + 1)^(α/2 − 1) for a per-element α that is not 2 or ±∞ (<paramref name="b"/> = |α − 2|).</summary>
        private static Tensor GenericSlope(Tensor alpha, Tensor b, Tensor z) => z.div(b).log1p().mul(Add(Mul(alpha, 0.5), -1.0)).exp();

        /// <summary>∂ρ/∂α, elementwise (see the type's summary for the forms and why).</summary>
        private static Tensor AlphaDerivative(Tensor a, Tensor z)
        {
            using var scope = torch.NewDisposeScope();
            var special = new Specials(a);
            var generic = special.Excluding();
            var bGeneric = Add(generic, -2.0).abs();
            // Small z/b (and z): ∂ρ/∂α = b·O((z/b)³), which every closed form computes as a difference of terms of order z/b
            // or 1; the series of ρ in z, differentiated term by term, has no cancellation.
            var series = Less(z.div(bGeneric), SeriesBelow).logical_and_(Less(z, 4.0));
            var inClosedForm = Where(series, 1.0, z);
            var useNear = Greater(bGeneric, NearFormAbove);
            var (anyNear, anyFar) = special.Both(useNear);
            Tensor? near = null, far = null;

            if (anyNear)
            {
                // b ≥ 0.05, through E(t) = expm1(t)/t, which has no cancellation as α → 0.
                var aNear = Where(useNear.logical_not(), 0.0, generic);
                var sNear = Add(aNear, -2.0).sign();
                var bNear = Add(aNear, -2.0).abs();
                var lNear = inClosedForm.div(bNear).log1p();
                var t = aNear.mul(lNear).mul(Half);
                var halfL = Mul(lNear, 0.5);
                near = halfL.mul(Exprel(t)).sub(inClosedForm.div(Mul(bNear.add(inClosedForm, One), 2.0)).mul(t.exp())).mul(sNear)
                    .add(bNear.mul(halfL).mul(halfL).mul(ExprelDerivative(t)), One);
            }

            if (anyFar)
            {
                // b < 0.05, through (b + z)·exp(s·bL/2) = b·eᵗ, finite as α → 2 (only L itself diverges there), with M = expm1(s·bL/2):
                // ∂ρ/∂α = (b + z)·e^(s·bL/2)·L/(2α) − (α + 2)/(2α²)·(z·e^(s·bL/2) + b·M) + (s/2)·M, which is the closed form with
                // its two terms of size ½ that cancel as α → 2 combined analytically.
                var aFar = Where(useNear, 1.0, generic);
                var s = Add(aFar, -2.0).sign();
                var bFar = Add(aFar, -2.0).abs();
                var lFar = inClosedForm.div(bFar).log1p();
                var exponent = s.mul(bFar).mul(lFar).mul(Half);
                var m = exponent.expm1();
                var e = exponent.exp();
                var factor = Add(aFar, 2.0).div(Mul(aFar.mul(aFar), 2.0));
                far = bFar.add(inClosedForm, One).mul(e).mul(lFar).div(Mul(aFar, 2.0))
                    .sub(factor.mul(inClosedForm.mul(e).add(bFar.mul(m), One)))
                    .add(s.mul(m).mul(Half), One);
            }

            var derivative = near is not null && far is not null ? torch.where(useNear, near, far) : (near ?? far)!.expand_as(z);
            derivative = WithSeries(derivative, series, generic, bGeneric, z);
            if (special.AnyInfinity)
                derivative = Where(special.Infinite, 0.0, derivative);
            if (special.AnyTwo)
                derivative = torch.where(special.Two, Where(Greater(z, 0.0), double.PositiveInfinity, torch.zeros_like(z)), derivative);
            return derivative.MoveToOuterDisposeScope();
        }

        private const double SeriesBelow = 0.1;
        private const double NearFormAbove = 0.05;
        private const int SeriesTerms = 24;

        /// <summary>
        /// <paramref name="derivative"/> with the series in place where <paramref name="series"/> holds. On the CPU the series runs
        /// on those elements only (gathered by masked_select, which there costs no device sync); elsewhere on every element,
        /// masked, so that no element count is read back from the device.
        /// </summary>
        private static Tensor WithSeries(Tensor derivative, Tensor series, Tensor a, Tensor b, Tensor z)
        {
            if (z.device_type != DeviceType.CPU)
                return torch.where(series, SeriesAlphaDerivative(a, b, Where(series.logical_not(), 0.0, z)), derivative);
            var shape = z.shape;
            var values = SeriesAlphaDerivative(a.broadcast_to(shape).masked_select(series), b.broadcast_to(shape).masked_select(series),
                z.masked_select(series));
            return derivative.masked_scatter(series, values);
        }

        /// <summary>
        /// ∂ρ/∂α from ρ = Σₖ Tₖ, T₁ = z/2, Tₖ₊₁ = Tₖ·rₖ with rₖ = (α/2 − k)·(z/b)/(k + 1), differentiated term by term in α
        /// (db/dα = s = sign(α − 2) and α/2 − 1 = s·b/2, so drₖ/dα = (z/b)·(s/b)·(k − 1)/(k + 1), exactly 0 for k = 1). Used for z/b &lt; 0.1 and z &lt; 4, where the
        /// terms fall at least like (z/b)ᵏ or (z/2)ᵏ/k!: 64 terms reach round-off.
        /// </summary>
        private static Tensor SeriesAlphaDerivative(Tensor a, Tensor b, Tensor z)
        {
            var s = Add(a, -2.0).sign();
            var halfAlpha = Mul(a, 0.5);
            var y = z.div(b);
            var slopeOfRatio = s.div(b);
            var term = Mul(z, 0.5);
            var termDerivative = torch.zeros_like(z);
            var sum = torch.zeros_like(z);
            for (int k = 1; k < SeriesTerms; k++)
            {
                // The factors that depend on α only stay α's size (one per dimension for the adaptive loss); two full-size
                // multiplies make rₖ and drₖ/dα.
                var ratio = y.mul(Div(Add(halfAlpha, -k), k + 1));
                var ratioDerivative = y.mul(Mul(slopeOfRatio, (k - 1.0) / (k + 1)));
                termDerivative = termDerivative.mul(ratio).add_(term.mul(ratioDerivative), One);
                term = term.mul(ratio);
                sum.add_(termDerivative, One);
            }
            return sum;
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
            if (t.device_type == DeviceType.CPU) // the series on the small elements only (no device to sync with)
                return closed.masked_scatter(small, Polynomial(t.masked_select(small), SeriesCoefficients));
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

        /// <summary>
        /// The special values of a per-element α, where the generic formulas are replaced by their limits. On the CPU, where
        /// reading a tensor costs no device sync, it also knows which special values occur, so that the formulas skip the
        /// branches of values that do not; elsewhere every branch is computed.
        /// </summary>
        private readonly struct Specials
        {
            public Specials(Tensor a)
            {
                Alpha = a;
                Two = Equal(a, 2.0);
                Zero = Equal(a, 0.0);
                Infinite = a.isinf();
                PlusInfinity = Equal(a, double.PositiveInfinity);
                MinusInfinity = Equal(a, double.NegativeInfinity);
                OnHost = a.device_type == DeviceType.CPU;
                AnyTwo = Any(Two, OnHost);
                AnyZero = Any(Zero, OnHost);
                AnyPlusInfinity = Any(PlusInfinity, OnHost);
                AnyMinusInfinity = Any(MinusInfinity, OnHost);
            }

            private Tensor Alpha { get; }

            private bool OnHost { get; }

            public Tensor Two { get; }

            public Tensor Zero { get; }

            public Tensor Infinite { get; }

            public Tensor PlusInfinity { get; }

            public Tensor MinusInfinity { get; }

            /// <summary>Whether α = 2 somewhere (always true off the CPU).</summary>
            public bool AnyTwo { get; }

            /// <summary>Whether α = 0 somewhere (always true off the CPU).</summary>
            public bool AnyZero { get; }

            /// <summary>Whether α = +∞ somewhere (always true off the CPU).</summary>
            public bool AnyPlusInfinity { get; }

            /// <summary>Whether α = −∞ somewhere (always true off the CPU).</summary>
            public bool AnyMinusInfinity { get; }

            /// <summary>Whether α = ±∞ somewhere.</summary>
            public bool AnyInfinity => AnyPlusInfinity || AnyMinusInfinity;

            /// <summary>Whether <paramref name="mask"/> holds somewhere and somewhere not (both true off the CPU).</summary>
            public (bool Some, bool NotAll) Both(Tensor mask)
            {
                if (!OnHost)
                    return (true, true);
                using var any = mask.any();
                using var all = mask.all();
                return (any.item<bool>(), !all.item<bool>());
            }

            /// <summary>z where <paramref name="mask"/> holds, 0 elsewhere: a limit's branch sees only its own elements, so that exp(±z/2) stays finite, and its gradient 0, where it is not taken.</summary>
            public Tensor OnlyWhere(Tensor mask, Tensor z) => Where(mask.logical_not(), 0.0, z);

            private static bool Any(Tensor mask, bool onHost)
            {
                if (!onHost)
                    return true;
                using var any = mask.any();
                return any.item<bool>();
            }

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
