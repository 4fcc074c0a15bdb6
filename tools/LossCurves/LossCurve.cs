using System;
using TorchSharp;
using static TorchSharp.torch;

namespace LossCurves
{
    /// <summary>Which loss a curve belongs to: it sets the line style of the charts.</summary>
    public enum LossFamily { Mse, L1, Huber, SmoothL1 }

    /// <summary>
    /// One curve of the charts: how to compute ℓ(x) elementwise with TorchLosses (reduction None, target 0), and the
    /// textbook formulas of ℓ(x) and ℓ'(x) that the computed loss and its autograd gradient are checked against.
    /// </summary>
    public sealed record LossCurve(
        string Label,
        Func<Tensor, Tensor, Tensor> Compute,
        Func<double, double> Loss,
        Func<double, double> Gradient,
        LossFamily Family,
        double Threshold)
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
    }
}
