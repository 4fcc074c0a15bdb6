using System;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace LossCurves
{
    /// <summary>Which loss a curve belongs to: with <see cref="LossCurve.Parameter"/> it sets the colour and line style of the charts.</summary>
    public enum LossFamily { Mse, L1, Huber, SmoothL1, PseudoHuber, GeneralRobust, LogCosh, BalancedL1 }

    /// <summary>
    /// One curve of the charts: how to compute ℓ(x) elementwise with TorchLosses (reduction None, target 0), and the
    /// textbook formulas of ℓ(x) and ℓ'(x) that the computed loss and its autograd gradient are checked against.
    /// <see cref="Parameter"/> is the curve's δ (Huber, pseudo-Huber), β (Smooth L1) or α (general robust loss).
    /// </summary>
    public sealed record LossCurve(
        string Label,
        Func<Tensor, Tensor, Tensor> Compute,
        Func<double, double> Loss,
        Func<double, double> Gradient,
        LossFamily Family,
        double Parameter)
    {
        /// <summary>MSE drawn as ½x², computed as Huber with δ = +∞ (pure quadratic): gradient x.</summary>
        public static LossCurve Mse() => new(
            "MSE: ½x² (Huber δ = ∞)",
            (input, target) => TorchLosses.functional.huber_loss(input, target, double.PositiveInfinity, nn.Reduction.None),
            x => 0.5 * x * x,
            x => x,
            LossFamily.Mse, double.PositiveInfinity);

        /// <summary>L1 drawn as |x|, computed as Smooth L1 with β = 0 (exactly L1): gradient sign(x), 0 at 0.</summary>
        public static LossCurve L1() => new(
            "L1: |x| (Smooth L1 β = 0)",
            (input, target) => TorchLosses.functional.smooth_l1_loss(input, target, nn.Reduction.None, beta: 0.0),
            Math.Abs,
            x => Math.Sign(x),
            LossFamily.L1, 0.0);

        /// <summary>Smooth L1: ½x²/β for |x| &lt; β, else |x| − ½β; gradient clamp(x, −β, β)/β.</summary>
        public static LossCurve SmoothL1(double beta) => new(
            $"Smooth L1 β = {beta:0.#}",
            (input, target) => TorchLosses.functional.smooth_l1_loss(input, target, nn.Reduction.None, beta),
            x => Math.Abs(x) < beta ? 0.5 * x * x / beta : Math.Abs(x) - 0.5 * beta,
            x => Math.Clamp(x, -beta, beta) / beta,
            LossFamily.SmoothL1, beta);

        /// <summary>Huber: ½x² for |x| &lt; δ, else δ(|x| − ½δ); gradient clamp(x, −δ, δ).</summary>
        public static LossCurve Huber(double delta) => new(
            $"Huber δ = {delta:0.#}",
            (input, target) => TorchLosses.functional.huber_loss(input, target, delta, nn.Reduction.None),
            x => Math.Abs(x) < delta ? 0.5 * x * x : delta * (Math.Abs(x) - 0.5 * delta),
            x => Math.Clamp(x, -delta, delta),
            LossFamily.Huber, delta);

        /// <summary>Pseudo-Huber (Charbonnier): δ²(√(1 + (x/δ)²) − 1); gradient x/√(1 + (x/δ)²).</summary>
        public static LossCurve PseudoHuber(double delta) => new(
            $"pseudo-Huber δ = {delta:0.#}",
            (input, target) => TorchLosses.functional.pseudo_huber_loss(input, target, delta, nn.Reduction.None),
            x => delta * delta * (Math.Sqrt(1 + (x / delta) * (x / delta)) - 1),
            x => x / Math.Sqrt(1 + (x / delta) * (x / delta)),
            LossFamily.PseudoHuber, delta);

        /// <summary>
        /// Barron's general robust loss with scale c = 1: (|α − 2|/α)·((x²/|α − 2| + 1)^(α/2) − 1), with the limits ½x² (α = 2),
        /// log(½x² + 1) (α = 0) and 1 − exp(−½x²) (α = −∞); gradient x·(x²/|α − 2| + 1)^(α/2 − 1), x·exp(−½x²) at α = −∞.
        /// </summary>
        public static LossCurve GeneralRobust(double alpha) => new(
            double.IsNegativeInfinity(alpha) ? "Barron α = −∞ (Welsch)" : $"Barron α = {alpha.ToString("0.#", CultureInfo.InvariantCulture).Replace('-', '−')}{BarronName(alpha)}",
            (input, target) => TorchLosses.functional.general_robust_loss(input, target, alpha, 1.0, nn.Reduction.None),
            x => alpha switch
            {
                2.0 => 0.5 * x * x,
                0.0 => Math.Log(0.5 * x * x + 1),
                double.NegativeInfinity => 1 - Math.Exp(-0.5 * x * x),
                _ => Math.Abs(alpha - 2) / alpha * (Math.Pow(x * x / Math.Abs(alpha - 2) + 1, alpha / 2) - 1),
            },
            x => double.IsNegativeInfinity(alpha)
                ? x * Math.Exp(-0.5 * x * x)
                : x * Math.Pow(x * x / Math.Abs(alpha - 2) + 1, alpha / 2 - 1),
            LossFamily.GeneralRobust, alpha);

        private static string BarronName(double alpha) => alpha switch
        {
            2.0 => " (½x²)",
            1.0 => " (Charbonnier)",
            0.0 => " (Cauchy)",
            -2.0 => " (Geman-McClure)",
            _ => "",
        };

        /// <summary>Log-cosh: log(cosh x); gradient tanh x.</summary>
        public static LossCurve LogCosh() => new(
            "log-cosh",
            (input, target) => TorchLosses.functional.log_cosh_loss(input, target, nn.Reduction.None),
            x => Math.Log(Math.Cosh(x)),
            Math.Tanh,
            LossFamily.LogCosh, double.NaN);

        /// <summary>
        /// Balanced L1 (Libra R-CNN) with d = |x| and b = e^(γ/α) − 1: (α/b)(b·d + 1)·log(b·d/β + 1) − α·d for d &lt; β, else
        /// γ·d + γ/b − α·β; gradient sign(x)·(α·log(b·d/β + 1) + α(1 − β)/(b·d + β)) inside, γ·sign(x) outside.
        /// </summary>
        public static LossCurve BalancedL1(double alpha, double gamma, double beta)
        {
            var b = Math.Exp(gamma / alpha) - 1;
            return new(
                string.Create(CultureInfo.InvariantCulture, $"Balanced L1 α = {alpha}, γ = {gamma}, β = {beta}"),
                (input, target) => TorchLosses.functional.balanced_l1_loss(input, target, alpha, gamma, beta, nn.Reduction.None),
                x =>
                {
                    var d = Math.Abs(x);
                    return d < beta
                        ? alpha / b * (b * d + 1) * Math.Log(b * d / beta + 1) - alpha * d
                        : gamma * d + gamma / b - alpha * beta;
                },
                x =>
                {
                    var d = Math.Abs(x);
                    return d < beta
                        ? Math.Sign(x) * (alpha * Math.Log(b * d / beta + 1) + alpha * (1 - beta) / (b * d + beta))
                        : gamma * Math.Sign(x);
                },
                LossFamily.BalancedL1, beta);
        }
    }
}
