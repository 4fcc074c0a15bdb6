using System.Collections.Generic;
using ScottPlot;

namespace LossCurves
{
    /// <summary>Draws the sampled curves as PNG charts: one for ℓ(x), one for ℓ'(x).</summary>
    public static class ChartWriter
    {
        private const int Width = 1000;
        private const int Height = 650;

        public static void Losses(IReadOnlyList<CurveSamples> curves, string path) => Write(
            curves, s => s.Loss, path,
            "Loss ℓ(x) of MSE, L1, Smooth L1 and Huber (computed with TorchLosses)",
            "ℓ(x), with x = input − target",
            yMin: -0.1, yMax: 4.6);

        public static void Gradients(IReadOnlyList<CurveSamples> curves, string path) => Write(
            curves, s => s.Gradient, path,
            "Gradient ℓ'(x) = ∂ℓ/∂input (autograd through TorchLosses)",
            "ℓ'(x)",
            yMin: -3.1, yMax: 3.1);

        private static void Write(IReadOnlyList<CurveSamples> curves, System.Func<CurveSamples, double[]> values, string path,
            string title, string yLabel, double yMin, double yMax)
        {
            var plot = new Plot();
            plot.Font.Set("DejaVu Sans"); // has ℓ, δ, β, ½ and − (ScottPlot's default font may not)
            plot.Add.HorizontalLine(0, 1, Colors.Gray.WithAlpha(0.6));
            plot.Add.VerticalLine(0, 1, Colors.Gray.WithAlpha(0.6));
            foreach (var samples in curves)
            {
                var line = plot.Add.ScatterLine(samples.X, values(samples));
                line.LegendText = samples.Curve.Label;
                line.LineWidth = samples.Curve.Family == LossFamily.SmoothL1 ? 2.5f : 2f;
                line.LinePattern = samples.Curve.Family == LossFamily.SmoothL1 ? LinePattern.Dashed : LinePattern.Solid;
                line.Color = ColorOf(samples.Curve);
            }
            plot.Title(title, size: 18);
            plot.XLabel("x = input − target", size: 15);
            plot.YLabel(yLabel, size: 15);
            plot.Axes.SetLimits(-3, 3, yMin, yMax);
            plot.ShowLegend(Alignment.UpperCenter);
            plot.SavePng(path, Width, Height);
        }

        /// <summary>One colour per threshold (Huber solid, Smooth L1 dashed), black for MSE, grey for L1.</summary>
        private static Color ColorOf(LossCurve curve) => curve.Family switch
        {
            LossFamily.Mse => Colors.Black,
            LossFamily.L1 => Colors.DimGray,
            _ => curve.Threshold switch
            {
                0.5 => new Color(0x1f, 0x77, 0xb4), // blue
                1.0 => new Color(0xd6, 0x27, 0x28), // red
                _ => new Color(0x2c, 0xa0, 0x2c),   // green
            },
        };
    }
}
