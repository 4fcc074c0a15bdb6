using System.Collections.Generic;
using System.IO;
using System.Linq;
using ScottPlot;

namespace BoxRegression
{
    /// <summary>PNG charts with ScottPlot 5: training curves and mean IoU against the outlier fraction.</summary>
    internal static class Charts
    {
        private static readonly Color[] Palette = [Colors.Red, Colors.DodgerBlue, Colors.Green, Colors.DarkViolet];

        /// <summary>Training curves (box loss and IoU of refined training RoIs with their true boxes) of the given runs.</summary>
        public static void TrainingCurves(string directory, IReadOnlyList<RunResult> runs, string title)
        {
            var loss = new Plot();
            var iou = new Plot();
            for (int i = 0; i < runs.Count; i++)
            {
                var run = runs[i];
                double[] steps = run.Curve.Select(p => (double)p.Step).ToArray();
                string name = $"{BoxLoss.Describe(run.Spec.Loss)}, ε={run.Spec.OutlierFraction:0.0}, {run.Spec.Matching.ToString().ToLowerInvariant()}";
                var l = loss.Add.ScatterLine(steps, run.Curve.Select(p => p.BoxLoss).ToArray(), Palette[i % Palette.Length]);
                l.LegendText = name;
                var u = iou.Add.ScatterLine(steps, run.Curve.Select(p => p.TrainIou).ToArray(), Palette[i % Palette.Length]);
                u.LegendText = name;
            }
            loss.Title($"Box loss during training ({title})");
            loss.XLabel("step");
            loss.YLabel("box loss (sum over foreground / sampled RoIs)");
            loss.ShowLegend(Alignment.UpperRight);
            loss.SavePng(Path.Combine(directory, "training_box_loss.png"), 900, 500);
            iou.Title($"IoU of refined training RoIs with their TRUE boxes ({title})");
            iou.XLabel("step");
            iou.YLabel("mean IoU");
            iou.ShowLegend(Alignment.LowerRight);
            iou.SavePng(Path.Combine(directory, "training_iou.png"), 900, 500);
        }

        /// <summary>Mean test IoU after regression against ε, one line per loss with ±1 sd error bars, one chart per matching mode.</summary>
        public static void IouAgainstOutliers(string directory, IReadOnlyList<SummaryRow> rows)
        {
            foreach (var matching in rows.Select(r => r.Matching).Distinct())
            {
                var plot = new Plot();
                var mine = rows.Where(r => r.Matching == matching).ToList();
                int i = 0;
                foreach (var group in mine.GroupBy(r => r.Loss).OrderBy(g => g.Key))
                {
                    var points = group.OrderBy(r => r.OutlierFraction).ToArray();
                    double[] x = points.Select(r => r.OutlierFraction + 0.004 * (i - 1.5)).ToArray();   // small offsets so bars do not overlap
                    double[] y = points.Select(r => r.IouAfter.Mean).ToArray();
                    double[] sd = points.Select(r => r.IouAfter.Sd).ToArray();
                    var color = Palette[i % Palette.Length];
                    var line = plot.Add.Scatter(x, y, color);
                    line.LegendText = BoxLoss.Describe(group.Key);
                    var bars = plot.Add.ErrorBar(x, y, sd);
                    bars.Color = color;
                    i++;
                }
                double before = mine.Average(r => r.IouBefore.Mean);
                var baseline = plot.Add.HorizontalLine(before, 1.5f, Colors.Gray, LinePattern.Dashed);
                baseline.LegendText = "proposals (no regression)";
                plot.Title($"Mean IoU on the clean test set, {matching.ToString().ToLowerInvariant()} matching (mean ± sd over seeds)");
                plot.XLabel("fraction ε of training boxes corrupted");
                plot.YLabel("mean IoU after box regression");
                plot.ShowLegend(Alignment.LowerLeft);
                plot.SavePng(Path.Combine(directory, $"iou_vs_outliers_{matching.ToString().ToLowerInvariant()}.png"), 900, 550);
            }
        }
    }
}
