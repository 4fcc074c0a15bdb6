using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ScottPlot;

namespace BoxRegression
{
    /// <summary>PNG charts with ScottPlot 5: training curves and mean IoU against the outlier fraction.</summary>
    internal static class Charts
    {
        private static readonly Color[] Palette = [Colors.Red, Colors.DodgerBlue, Colors.Green, Colors.DarkViolet, Colors.Orange, Colors.DarkCyan, Colors.Magenta];

        /// <summary>
        /// Training curves of the given runs: training_iou.png (IoU of refined training RoIs with their true boxes, one axis:
        /// the same metric for every loss) and training_box_loss.png (each run's own box loss, one panel and y-axis per run:
        /// different losses have different scales, so their values are not compared on one axis).
        /// </summary>
        public static void TrainingCurves(string directory, IReadOnlyList<RunResult> runs, string title)
        {
            var iou = new Plot();
            for (int i = 0; i < runs.Count; i++)
            {
                var run = runs[i];
                var u = iou.Add.ScatterLine(Steps(run), run.Curve.Select(p => p.TrainIou).ToArray(), Palette[i % Palette.Length]);
                u.LegendText = RunName(run);
            }
            iou.Title($"IoU of refined training RoIs with their TRUE boxes ({title})");
            iou.XLabel("step");
            iou.YLabel("mean IoU");
            iou.ShowLegend(Alignment.UpperLeft);   // L2's curve can fall to the bottom right
            iou.SavePng(Path.Combine(directory, "training_iou.png"), 900, 500);

            var loss = new Multiplot();
            loss.AddPlots(runs.Count);
            loss.Layout = new ScottPlot.MultiplotLayouts.Rows();
            for (int i = 0; i < runs.Count; i++)
            {
                var run = runs[i];
                var panel = loss.GetPlot(i);
                double[] values = run.Curve.Select(p => p.BoxLoss).ToArray();
                var line = panel.Add.ScatterLine(Steps(run), values, Palette[i % Palette.Length]);
                line.LineWidth = 1.5f;
                panel.Axes.SetLimitsY(0, values.DefaultIfEmpty(1).Max() * 1.08);
                panel.Title(i == 0
                    ? $"Box loss during training, each loss on its own y-axis ({title})\n{BoxLoss.Describe(run.Spec.Loss)}"
                    : BoxLoss.Describe(run.Spec.Loss));
                panel.YLabel($"{BoxLoss.Describe(run.Spec.Loss)} box loss");
                panel.XLabel(i == runs.Count - 1 ? "step (each point: mean over the last 10 steps)" : "step");
            }
            if (runs.Count > 1) loss.SharedAxes.ShareX(Enumerable.Range(0, runs.Count).Select(loss.GetPlot));
            loss.SavePng(Path.Combine(directory, "training_box_loss.png"), 900, 60 + 260 * runs.Count);
        }

        private static double[] Steps(RunResult run) => run.Curve.Select(p => (double)p.Step).ToArray();

        private static string RunName(RunResult run)
            => $"{BoxLoss.Describe(run.Spec.Loss)}, ε={run.Spec.OutlierFraction:0.0}, {run.Spec.Matching.ToString().ToLowerInvariant()}";

        /// <summary>
        /// A test metric against ε, one line per loss (mean over seeds) with ±1 sd error bars, one chart per matching mode:
        /// <c>{name}_vs_outliers_{matching}.png</c>. <paramref name="baseline"/>, when given, draws the proposals' value (no regression).
        /// </summary>
        public static void MetricAgainstOutliers(string directory, IReadOnlyList<SummaryRow> rows, string name, Func<SummaryRow, MeanSd> metric,
            string yLabel, Func<SummaryRow, double>? baseline, string title)
        {
            foreach (var matching in rows.Select(r => r.Matching).Distinct())
            {
                var plot = new Plot();
                var mine = rows.Where(r => r.Matching == matching).ToList();
                var groups = mine.GroupBy(r => r.Loss).OrderBy(g => g.Key).ToList();
                int i = 0;
                foreach (var group in groups)
                {
                    var points = group.OrderBy(r => r.OutlierFraction).ToArray();
                    double[] x = points.Select(r => r.OutlierFraction + 0.004 * (i - (groups.Count - 1) / 2.0)).ToArray();   // small offsets so bars do not overlap
                    double[] y = points.Select(r => metric(r).Mean).ToArray();
                    double[] sd = points.Select(r => metric(r).Sd).ToArray();
                    var color = Palette[(int)group.Key % Palette.Length];   // one colour per loss in every chart
                    var line = plot.Add.Scatter(x, y, color);
                    line.LegendText = BoxLoss.Describe(group.Key);
                    var bars = plot.Add.ErrorBar(x, y, sd);
                    bars.Color = color;
                    i++;
                }
                if (baseline is not null)
                {
                    var before = plot.Add.HorizontalLine(mine.Average(baseline), 1.5f, Colors.Gray, LinePattern.Dashed);
                    before.LegendText = "proposals (no regression)";
                }
                plot.Title($"{title} on the clean test set, {matching.ToString().ToLowerInvariant()} matching (mean ± sd over seeds)");
                plot.XLabel("fraction ε of training boxes corrupted");
                plot.YLabel(yLabel);
                plot.ShowLegend(Alignment.LowerLeft);
                plot.SavePng(Path.Combine(directory, $"{name}_vs_outliers_{matching.ToString().ToLowerInvariant()}.png"), 900, 550);
            }
        }
    }
}
