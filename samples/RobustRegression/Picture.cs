using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace RobustRegression
{
    /// <summary>The PNG: each observation's residual (top) and its weight in the fit (bottom), one series per fit.</summary>
    internal static class Picture
    {
        private static readonly Dictionary<string, Color> Colours = new()
        {
            ["ols"] = Colors.Gray,
            ["huber"] = Colors.DodgerBlue,
            ["adaptive"] = Colors.OrangeRed,
        };

        public static void Save(string path, IReadOnlyList<RegressionFit> fits)
        {
            var figure = new Multiplot();
            figure.AddPlots(2);
            figure.Layout = new ScottPlot.MultiplotLayouts.Rows();
            var residuals = figure.GetPlot(0);
            var weights = figure.GetPlot(1);
            double[] observation = Enumerable.Range(1, StackLoss.Count).Select(i => (double)i).ToArray();
            for (int k = 0; k < fits.Count; k++)
            {
                var fit = fits[k];
                double offset = 0.15 * (k - 0.5 * (fits.Count - 1));   // side by side, so equal values stay visible
                double[] x = observation.Select(v => v + offset).ToArray();
                var colour = Colours.GetValueOrDefault(fit.Method, Colors.Black);
                var r = residuals.Add.Scatter(x, fit.Residuals, colour);
                r.LineWidth = 1;
                r.MarkerSize = 7;
                r.LegendText = Label(fit);
                var w = weights.Add.Scatter(x, fit.Weights, colour);
                w.LineWidth = 1;
                w.MarkerSize = 7;
            }
            residuals.Add.HorizontalLine(0, 1, Colors.Black.WithAlpha(0.4), LinePattern.Dashed);
            residuals.Title("Stack-loss data (Brownlee 1965): residuals y − ŷ of each fit");
            residuals.YLabel("residual");
            residuals.XLabel("observation");
            residuals.ShowLegend(Alignment.UpperRight);   // the upper right is empty: observations 15–21 fit well
            weights.Title("Each observation's weight in the fit (IRLS weight ψ(r)/r, 1 at r = 0; colours as above)");
            weights.YLabel("weight");
            weights.XLabel("observation");
            weights.Axes.SetLimitsY(0, 1.08);
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            foreach (double i in observation) ticks.AddMajor(i, ((int)i).ToString(System.Globalization.CultureInfo.InvariantCulture));
            residuals.Axes.Bottom.TickGenerator = ticks;
            weights.Axes.Bottom.TickGenerator = ticks;
            figure.SharedAxes.ShareX([residuals, weights]);
            figure.SavePng(path, 1000, 760);
        }

        private static string Label(RegressionFit fit) => fit.Method switch
        {
            "ols" => "least squares (weight 1)",
            "huber" => $"Huber, δ = 1.345·σ̂ (min(1, δ/|r|))",
            "adaptive" => $"adaptive robust loss, α = {fit.Alpha:0.###}, c = {fit.Scale:0.##}",
            _ => fit.Method,
        };
    }
}
