using System;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using TL = TorchLosses;

namespace RobustRegression
{
    /// <summary>One fitted regression of stack.loss on Air.Flow, Water.Temp and Acid.Conc.</summary>
    /// <param name="Method">"ols", "huber" or "adaptive".</param>
    /// <param name="Intercept">The fitted intercept.</param>
    /// <param name="Coefficients">The slopes of Air.Flow, Water.Temp, Acid.Conc.</param>
    /// <param name="Scale">The fit's residual scale: OLS √(RSS/(n−p)); Huber σ̂ = median|r|/0.6745; adaptive the loss's scale c.</param>
    /// <param name="Alpha">The adaptive loss's shape α (null for the other fits).</param>
    /// <param name="Residuals">y − ŷ per observation.</param>
    /// <param name="Weights">Each observation's weight in the fit (its IRLS weight ψ(r)/r, 1 at r = 0).</param>
    /// <param name="Steps">Newton steps taken in total.</param>
    /// <param name="MaxAbsGradient">max |gradient| of the fit's objective at the end.</param>
    internal sealed record RegressionFit(string Method, double Intercept, double[] Coefficients, double Scale, double? Alpha,
        double[] Residuals, double[] Weights, int Steps, double MaxAbsGradient);

    /// <summary>
    /// The three fits, each a minimisation over TorchSharp float64 parameters of a TorchLosses loss summed over the 21
    /// observations, by <see cref="NewtonMinimiser"/> (gradient and Hessian by autograd through the loss).
    /// </summary>
    internal static class Fits
    {
        /// <summary>Huber's tuning constant t (95 % efficiency at the normal): δ = t·σ̂.</summary>
        public const double HuberTuning = 1.345;

        /// <summary>The normal's 0.75 quantile: median|r|/0.6745 estimates σ for normal errors.</summary>
        public const double MadConsistency = 0.6745;

        /// <summary>The gradient tolerance of every minimisation.</summary>
        public const double GradientTolerance = 1e-10;

        /// <summary>Huber's outer loop stops when σ̂ changes by less than this, relatively.</summary>
        public const double ScaleTolerance = 1e-10;

        private const int Parameters = 4;   // intercept + 3 slopes

        /// <summary>The design matrix [21, 4]: a column of ones, Air.Flow, Water.Temp, Acid.Conc.</summary>
        public static Tensor Design()
        {
            int n = StackLoss.Count;
            var values = new double[n * Parameters];
            for (int i = 0; i < n; i++) Array.Copy(StackLoss.DesignRow(i), 0, values, i * Parameters, Parameters);
            return tensor(values, [n, Parameters], dtype: float64);
        }

        /// <summary>The response stack.loss [21].</summary>
        public static Tensor Response() => tensor(StackLoss.Loss, dtype: float64);

        /// <summary>
        /// Least squares: minimises Σ ½(yᵢ − xᵢβ)², TorchLosses' Huber loss with δ = +∞ (exactly ½x²). Scale: the residual
        /// standard error √(RSS/(n − p)).
        /// </summary>
        public static RegressionFit LeastSquares()
        {
            using var scope = NewDisposeScope();
            var x = Design();
            var y = Response();
            var beta = new Parameter(zeros(Parameters, dtype: float64));
            var result = NewtonMinimiser.Minimise(
                () => TL.functional.huber_loss(x.matmul(beta), y, double.PositiveInfinity, nn.Reduction.Sum), [beta], GradientTolerance);
            double[] b = Values(beta);
            double[] r = Residuals(b);
            double scale = Math.Sqrt(r.Sum(v => v * v) / (StackLoss.Count - Parameters));
            return new RegressionFit("ols", b[0], b[1..], scale, null, r, r.Select(_ => 1.0).ToArray(), result.Iterations, Checked(result, "ols"));
        }

        /// <summary>
        /// Huber's M-estimate with δ = 1.345·σ̂ and σ̂ = median|r|/0.6745 of the fit's own residuals: starting from
        /// <paramref name="start"/> (least squares), minimise Σ huber(yᵢ − xᵢβ; δ) with δ fixed (TorchLosses'
        /// <c>functional.huber_loss</c>), re-estimate σ̂ from the new residuals, and repeat until σ̂ changes by less than
        /// <see cref="ScaleTolerance"/> relatively. The result solves Σ ψ(rᵢ/σ̂)·xᵢ = 0 with Huber's ψ(u) = clamp(u, −t, t)
        /// and σ̂ = median|r|/0.6745: the fixed point of iteratively reweighted least squares with Huber's weights and
        /// this scale rule (MASS::rlm's default).
        /// </summary>
        public static RegressionFit Huber(RegressionFit start, int maxScaleIterations = 500)
        {
            using var scope = NewDisposeScope();
            var x = Design();
            var y = Response();
            var beta = new Parameter(tensor(new[] { start.Intercept }.Concat(start.Coefficients).ToArray(), dtype: float64));
            double sigma = MedianAbs(start.Residuals) / MadConsistency;
            int steps = 0;
            double gradient = 0;
            for (int outer = 0; ; outer++)
            {
                double delta = HuberTuning * sigma;
                var result = NewtonMinimiser.Minimise(
                    () => TL.functional.huber_loss(x.matmul(beta), y, delta, nn.Reduction.Sum), [beta], GradientTolerance);
                steps += result.Iterations;
                gradient = Checked(result, "huber");
                double next = MedianAbs(Residuals(Values(beta))) / MadConsistency;
                bool settled = Math.Abs(next - sigma) <= ScaleTolerance * sigma;
                sigma = next;
                if (settled) break;
                if (outer == maxScaleIterations)
                    throw new InvalidOperationException($"huber: σ̂ still changes after {maxScaleIterations} re-estimations.");
            }
            double[] b = Values(beta);
            double[] r = Residuals(b);
            double[] w = r.Select(v => HuberWeight(v / sigma)).ToArray();
            return new RegressionFit("huber", b[0], b[1..], sigma, null, r, w, steps, gradient);
        }

        /// <summary>The adaptive loss's bounds on α, as <c>AdaptiveRobustLoss</c>'s defaults.</summary>
        public const double AlphaLow = 0.001, AlphaHigh = 1.999;

        /// <summary>
        /// Barron's adaptive robust loss: minimises the negative log-likelihood Σ [ρ(rᵢ, α, c) + log c + log Z(α)] of
        /// TorchLosses' <c>AdaptiveRobustLoss</c> (one dimension, α in (0.001, 1.999)) jointly over the coefficients and the
        /// loss's latent α and scale, starting from <paramref name="start"/>'s coefficients, α at the midpoint and c at
        /// <paramref name="start"/>'s scale. The weights are the IRLS weights ρ′(r)/r scaled to 1 at r = 0:
        /// (1 + (r/c)²/|α − 2|)^(α/2 − 1).
        /// </summary>
        public static RegressionFit Adaptive(RegressionFit start)
        {
            using var scope = NewDisposeScope();
            var x = Design();
            var y = Response().unsqueeze(1);
            var beta = new Parameter(tensor(new[] { start.Intercept }.Concat(start.Coefficients).ToArray(), dtype: float64));
            using var loss = new TL.AdaptiveRobustLoss(1, alpha_lo: AlphaLow, alpha_hi: AlphaHigh, scale_init: start.Scale, reduction: nn.Reduction.Sum);
            loss.to(float64);   // float64 parameters, so that α and c are exact to float64 round-off
            Parameter[] parameters = [beta, .. loss.parameters()];
            var result = NewtonMinimiser.Minimise(() => loss.forward(x.matmul(beta).unsqueeze(1), y), parameters, GradientTolerance);
            double gradient = Checked(result, "adaptive");
            double alpha, c;
            using (no_grad())
            {
                alpha = loss.alpha().item<double>();
                c = loss.scale().item<double>();
            }
            double[] b = Values(beta);
            double[] r = Residuals(b);
            double[] w = r.Select(v => AdaptiveWeight(v / c, alpha)).ToArray();
            return new RegressionFit("adaptive", b[0], b[1..], c, alpha, r, w, result.Iterations, gradient);
        }

        /// <summary>The IRLS weight of Barron's loss, ρ′(x)/x scaled to 1 at x = 0, of u = x/c: (1 + u²/|α − 2|)^(α/2 − 1).</summary>
        public static double AdaptiveWeight(double u, double alpha) => Math.Pow(1 + u * u / Math.Abs(alpha - 2), alpha / 2 - 1);

        /// <summary>Huber's IRLS weight ψ(u)/u = min(1, t/|u|) of a standardised residual u (1 at u = 0).</summary>
        public static double HuberWeight(double u) => Math.Abs(u) <= HuberTuning ? 1 : HuberTuning / Math.Abs(u);

        /// <summary>The median of |v|.</summary>
        public static double MedianAbs(double[] v)
        {
            double[] a = v.Select(Math.Abs).OrderBy(t => t).ToArray();
            int m = a.Length / 2;
            return a.Length % 2 == 1 ? a[m] : 0.5 * (a[m - 1] + a[m]);
        }

        /// <summary>y − Xb for coefficients b = (intercept, slopes), in double arithmetic.</summary>
        public static double[] Residuals(double[] b)
        {
            var r = new double[StackLoss.Count];
            for (int i = 0; i < r.Length; i++)
            {
                double[] row = StackLoss.DesignRow(i);
                double fitted = 0;
                for (int j = 0; j < Parameters; j++) fitted += row[j] * b[j];
                r[i] = StackLoss.Loss[i] - fitted;
            }
            return r;
        }

        private static double[] Values(Tensor t) => t.detach().data<double>().ToArray();

        private static double Checked(MinimiserResult result, string method) => result.Converged
            ? result.MaxAbsGradient
            : throw new InvalidOperationException($"{method}: Newton's method stopped at max |gradient| {result.MaxAbsGradient:E2} after {result.Iterations} steps.");
    }
}
