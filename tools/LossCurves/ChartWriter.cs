using System.Collections.Generic;
using ScottPlot;

namespace LossCurves
{
    /// <summary>
    /// Draws the sampled curves as PNG charts: for the seed's losses one chart for ℓ(x) and one for ℓ'(x); for the
    /// robust-regression family one picture with both side by side.
    /// </summary>
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

        /// <summary>
        /// The robust-regression family in one picture: ℓ(x) on the left (with the legend), ℓ'(x) on the right, same colours.
        /// Huber is the black reference; the general loss's α runs from blue (α = 2) to purple (α = −∞); curves that coincide
        /// with another (pseudo-Huber δ = 1 is α = 1) or nearly so (log-cosh) are dashed over it.
        /// </summary>
        public static void Family(IReadOnlyList<CurveSamples> curves, string path)
        {
            var losses = FamilyPanel(curves, s => s.Loss,
                "Robust losses ℓ(x), computed with TorchLosses", "ℓ(x), with x = input − target", yMin: -0.15, yMax: 6);
            losses.ShowLegend(Alignment.UpperCenter);
            losses.Legend.FontSize = 14;
            var gradients = FamilyPanel(curves, s => s.Gradient,
                "Gradients ℓ'(x) by autograd through TorchLosses", "ℓ'(x)", yMin: -2.1, yMax: 2.1);
            gradients.HideLegend(); // same colours as the loss panel's legend

            var figure = new Multiplot();
            figure.Reset(losses); // a new Multiplot starts with one empty plot: make the loss panel the only one
            figure.AddPlot(gradients);
            figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
            figure.SavePng(path, 2 * FamilyPanelWidth, FamilyHeight);
        }

        private const int FamilyPanelWidth = 900;
        private const int FamilyHeight = 700;

        private static Plot FamilyPanel(IReadOnlyList<CurveSamples> curves, System.Func<CurveSamples, double[]> values,
            string title, string yLabel, double yMin, double yMax)
        {
            var plot = new Plot();
            plot.Font.Set("DejaVu Sans");
            plot.Add.HorizontalLine(0, 1, Colors.Gray.WithAlpha(0.6));
            plot.Add.VerticalLine(0, 1, Colors.Gray.WithAlpha(0.6));
            foreach (var samples in curves)
            {
                var (color, pattern, width) = FamilyStyle(samples.Curve);
                var line = plot.Add.ScatterLine(samples.X, values(samples));
                line.LegendText = samples.Curve.Label;
                line.LineWidth = width;
                line.LinePattern = pattern;
                line.Color = color;
            }
            plot.Title(title, size: 18);
            plot.XLabel("x = input − target", size: 15);
            plot.YLabel(yLabel, size: 15);
            var x = curves[0].X;
            plot.Axes.SetLimits(x[0], x[^1], yMin, yMax);
            return plot;
        }

        private static (Color Color, LinePattern Pattern, float Width) FamilyStyle(LossCurve curve) => curve.Family switch
        {
            LossFamily.Huber => (Colors.Black, LinePattern.Solid, 2.5f),
            LossFamily.PseudoHuber => (new Color(0x17, 0xbe, 0xcf), LinePattern.Dashed, 2.5f), // cyan, over α = 1
            LossFamily.LogCosh => (Colors.DimGray, LinePattern.Dashed, 2.5f),
            LossFamily.BalancedL1 => (new Color(0xe3, 0x77, 0xc2), LinePattern.Solid, 3f),    // pink
            _ => (curve.Parameter switch
            {
                2.0 => new Color(0x1f, 0x77, 0xb4),  // blue
                1.0 => new Color(0xff, 0x7f, 0x0e),  // orange
                0.0 => new Color(0x2c, 0xa0, 0x2c),  // green
                -2.0 => new Color(0xd6, 0x27, 0x28), // red
                _ => new Color(0x94, 0x67, 0xbd),    // purple (α = −∞)
            }, LinePattern.Solid, 2f),
        };

        /// <summary>One colour per threshold (Huber solid, Smooth L1 dashed), black for MSE, grey for L1.</summary>
        private static Color ColorOf(LossCurve curve) => curve.Family switch
        {
            LossFamily.Mse => Colors.Black,
            LossFamily.L1 => Colors.DimGray,
            _ => curve.Parameter switch
            {
                0.5 => new Color(0x1f, 0x77, 0xb4), // blue
                1.0 => new Color(0xd6, 0x27, 0x28), // red
                _ => new Color(0x2c, 0xa0, 0x2c),   // green
            },
        };
    }
}
