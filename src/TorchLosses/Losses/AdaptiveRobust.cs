using System;
using TorchLosses.Engine;
using TorchLosses.Validation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchLosses.Engine.ScalarOps;

namespace TorchLosses
{
    /// <summary>
    /// Barron's adaptive robust loss (CVPR 2019, robust_loss_pytorch's <c>AdaptiveLossFunction</c>): the negative
    /// log-likelihood of the residuals under the distribution p(x | α, c) = exp(−ρ(x, α, c)) / (c·Z(α)), with one shape α and
    /// one scale c per dimension learned along with the model:
    /// <code>
    /// loss = ρ(x, α, c) + log c + log Z(α)          (ρ: functional.general_robust_loss; log Z: a spline of a table we integrate)
    /// α    = sigmoid(latent_alpha)·(alpha_hi − alpha_lo) + alpha_lo
    /// c    = (scale_init − scale_lo)·softplus(latent_scale + log(e − 1)) + scale_lo
    /// </code>
    /// On heavy-tailed residuals α falls (towards Cauchy, α = 0) and c settles near the inliers' scale; on Gaussian residuals
    /// α rises towards 2. α is fixed (no parameter) when alpha_lo = alpha_hi, c when scale_lo = scale_init.
    /// Inputs are [batch, num_dims]; parameters are float32 and follow the module's <c>to(...)</c>; a float64 input computes
    /// in float64. See J. T. Barron, <see href="https://arxiv.org/abs/1701.03077">A General and Adaptive Robust Loss Function</see>.
    /// </summary>
    public sealed class AdaptiveRobustLoss : Loss<Tensor, Tensor, Tensor>
    {
        // The names given to register_parameter: Module.to(dtype or device) replaces each registered parameter and sets the
        // field whose component name matches it; without the attribute the field would keep the disposed original.
        [TorchSharp.Utils.ComponentName(Name = "latent_alpha")]
        private readonly Parameter? latentAlpha;
        [TorchSharp.Utils.ComponentName(Name = "latent_scale")]
        private readonly Parameter? latentScale;

        /// <summary>Creates the loss. Throws <see cref="ArgumentOutOfRangeException"/> naming the argument for values outside the ranges below.</summary>
        /// <param name="num_dims">The number of dimensions (columns of the input), each with its own α and scale; at least 1.</param>
        /// <param name="alpha_lo">The smallest α, in [0, 4] (log Z(α) is finite for α ≥ 0; its table covers [0, 4]).</param>
        /// <param name="alpha_hi">The largest α, in [alpha_lo, 4]. Keep it below 2 (the default 1.999) unless you need α = 2: ∂ρ/∂α is +∞ at exactly α = 2.</param>
        /// <param name="alpha_init">α at the start, strictly between alpha_lo and alpha_hi (or equal to both); null for the midpoint.</param>
        /// <param name="scale_lo">The smallest scale, positive.</param>
        /// <param name="scale_init">The scale at the start, at least scale_lo; equal to scale_lo fixes the scale.</param>
        /// <param name="reduction">None (the per-element negative log-likelihood), Mean (default) or Sum.</param>
        public AdaptiveRobustLoss(long num_dims, double alpha_lo = 0.001, double alpha_hi = 1.999, double? alpha_init = null,
            double scale_lo = 1e-5, double scale_init = 1.0, nn.Reduction reduction = nn.Reduction.Mean) : base(reduction)
        {
            if (num_dims < 1)
                throw new ArgumentOutOfRangeException(nameof(num_dims), num_dims, $"num_dims must be at least 1; got {num_dims}.");
            if (!(alpha_lo >= LogPartition.AlphaMin && alpha_lo <= LogPartition.AlphaMax))
                throw new ArgumentOutOfRangeException(nameof(alpha_lo), alpha_lo, $"alpha_lo must be in [0, 4] (the range of log Z's table); got {alpha_lo}.");
            if (!(alpha_hi >= alpha_lo && alpha_hi <= LogPartition.AlphaMax))
                throw new ArgumentOutOfRangeException(nameof(alpha_hi), alpha_hi, $"alpha_hi must be in [alpha_lo, 4] = [{alpha_lo}, 4]; got {alpha_hi}.");
            double init = alpha_init ?? (alpha_lo + alpha_hi) / 2;
            if (alpha_lo == alpha_hi ? init != alpha_lo : !(init > alpha_lo && init < alpha_hi))
                throw new ArgumentOutOfRangeException(nameof(alpha_init), alpha_init,
                    $"alpha_init must lie strictly between alpha_lo = {alpha_lo} and alpha_hi = {alpha_hi} (or equal both when they are equal); got {init}.");
            if (!(scale_lo > 0) || double.IsInfinity(scale_lo))
                throw new ArgumentOutOfRangeException(nameof(scale_lo), scale_lo, $"scale_lo must be positive and finite; got {scale_lo}.");
            if (!(scale_init >= scale_lo) || double.IsInfinity(scale_init))
                throw new ArgumentOutOfRangeException(nameof(scale_init), scale_init, $"scale_init must be finite and at least scale_lo = {scale_lo}; got {scale_init}.");

            this.num_dims = num_dims;
            this.alpha_lo = alpha_lo;
            this.alpha_hi = alpha_hi;
            this.alpha_init = init;
            this.scale_lo = scale_lo;
            this.scale_init = scale_init;
            if (alpha_lo != alpha_hi)
            {
                double fraction = (init - alpha_lo) / (alpha_hi - alpha_lo);
                latentAlpha = new Parameter(Filled(Math.Log(fraction / (1 - fraction))));
                register_parameter("latent_alpha", latentAlpha);
            }
            if (scale_lo != scale_init)
            {
                latentScale = new Parameter(torch.zeros(new long[] { 1, num_dims }, ScalarType.Float32));
                register_parameter("latent_scale", latentScale);
            }
        }

        /// <summary>The number of dimensions.</summary>
        public long num_dims { get; }

        /// <summary>The smallest α.</summary>
        public double alpha_lo { get; }

        /// <summary>The largest α.</summary>
        public double alpha_hi { get; }

        /// <summary>α at the start.</summary>
        public double alpha_init { get; }

        /// <summary>The smallest scale.</summary>
        public double scale_lo { get; }

        /// <summary>The scale at the start.</summary>
        public double scale_init { get; }

        /// <summary>α per dimension: a new [1, num_dims] tensor, differentiable in the latent parameter.</summary>
        public Tensor alpha()
        {
            if (latentAlpha is null)
                return Filled(alpha_lo);
            using var scope = torch.NewDisposeScope();
            return Add(Mul(latentAlpha.sigmoid(), alpha_hi - alpha_lo), alpha_lo).MoveToOuterDisposeScope();
        }

        /// <summary>The scale per dimension: a new [1, num_dims] tensor, differentiable in the latent parameter.</summary>
        public Tensor scale()
        {
            if (latentScale is null)
                return Filled(scale_lo);
            using var scope = torch.NewDisposeScope();
            // softplus(log(e − 1)) = 1, so the scale starts at scale_init.
            var shifted = Add(latentScale, Math.Log(Math.E - 1));
            var softplus = shifted.relu().add(shifted.abs().neg().exp().log1p(), One); // log(1 + eˣ) without overflow
            return Add(Mul(softplus, scale_init - scale_lo), scale_lo).MoveToOuterDisposeScope();
        }

        /// <summary>A new [1, num_dims] tensor of <paramref name="value"/> in input's dtype and on its device.</summary>
        private Tensor Filled(double value, Tensor input)
        {
            using var scalar = value.ToScalar();
            return torch.full(new long[] { 1, num_dims }, scalar, input.dtype, input.device);
        }

        /// <summary>A new float32 [1, num_dims] tensor of <paramref name="value"/>.</summary>
        private Tensor Filled(double value)
        {
            using var scalar = value.ToScalar();
            return torch.full(new long[] { 1, num_dims }, scalar, ScalarType.Float32);
        }

        /// <summary>
        /// The negative log-likelihood ρ(x, α, c) + log c + log Z(α) of x = input − target, reduced as configured.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of shape [batch, num_dims].</param>
        /// <param name="target">Targets of the same shape, on input's device.</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, [batch, num_dims] for None.</returns>
        public override Tensor forward(Tensor input, Tensor target)
        {
            if (input is null) throw new ArgumentNullException(nameof(input));
            if (target is null) throw new ArgumentNullException(nameof(target));
            if (input.dim() != 2 || input.shape[1] != num_dims)
                throw new ArgumentException(
                    $"input must have shape [batch, num_dims] = [batch, {num_dims}]; got {Broadcasting.Format(Broadcasting.ShapeOf(input))}. " +
                    "Reshape it, for example input.reshape(-1, num_dims).", nameof(input));
            ArgumentChecks.FloatingPoint(input, nameof(input));
            using var scope = torch.NewDisposeScope();
            // A fixed α or scale is taken at full precision in input's dtype (not through the float32 [1, num_dims] of alpha()).
            var alpha = latentAlpha is null ? Filled(alpha_lo, input) : OnInput(this.alpha(), input);
            var scale = latentScale is null ? Filled(scale_lo, input) : OnInput(this.scale(), input);
            var rho = functional.general_robust_loss(input, target, alpha, scale, nn.Reduction.None);
            var nll = rho.add(scale.log().add(LogPartition.Of(alpha), One), One);
            var reduced = reduction switch
            {
                nn.Reduction.None => nll,
                nn.Reduction.Sum => nll.sum(),
                _ => nll.mean(),
            };
            return reduced.MoveToOuterDisposeScope();
        }

        /// <summary>A parameter-derived tensor in input's dtype and on its device (differentiably).</summary>
        private static Tensor OnInput(Tensor parameter, Tensor input) =>
            parameter.dtype == input.dtype && parameter.device == input.device ? parameter : parameter.to(input.dtype, input.device);
    }
}
