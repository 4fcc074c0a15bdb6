using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace BoxRegression
{
    /// <summary>Mean ± standard deviation of one metric over the seeds of a (matching, ε, loss) cell.</summary>
    internal readonly record struct MeanSd(double Mean, double Sd, int Count)
    {
        public static MeanSd Of(IEnumerable<double> values)
        {
            var v = values.ToArray();
            double mean = v.Average();
            double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
            return new MeanSd(mean, sd, v.Length);
        }

        public string Format(string format = "0.000")
            => Count > 1 ? $"{Mean.ToString(format, CultureInfo.InvariantCulture)} ± {Sd.ToString("0.000", CultureInfo.InvariantCulture)}"
                         : Mean.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>One row of the results table: a (matching, ε, loss) cell aggregated over seeds.</summary>
    internal sealed record SummaryRow(MatchingMode Matching, double OutlierFraction, BoxLossKind Loss, int Seeds,
        MeanSd IouBefore, MeanSd IouAfter, MeanSd Iou07, MeanSd Iou09, MeanSd ScaleBias, MeanSd Ap50, MeanSd Ap75, double Seconds);

    /// <summary>Aggregates runs over seeds, compares each loss's drop in IoU with L2's, and writes the Markdown table.</summary>
    internal static class ResultSummary
    {
        public static List<SummaryRow> Aggregate(IReadOnlyList<RunResult> runs)
            => runs.GroupBy(r => (r.Spec.Matching, r.Spec.OutlierFraction, r.Spec.Loss))
                .OrderBy(g => g.Key.Matching).ThenBy(g => g.Key.OutlierFraction).ThenBy(g => g.Key.Loss)
                .Select(g => new SummaryRow(g.Key.Matching, g.Key.OutlierFraction, g.Key.Loss, g.Count(),
                    MeanSd.Of(g.Select(r => r.Metrics.MeanIouBefore)), MeanSd.Of(g.Select(r => r.Metrics.MeanIouAfter)),
                    MeanSd.Of(g.Select(r => r.Metrics.IouAtLeast07)), MeanSd.Of(g.Select(r => r.Metrics.IouAtLeast09)),
                    MeanSd.Of(g.Select(r => r.Metrics.ScaleBias)),
                    MeanSd.Of(g.Select(r => r.Metrics.Ap50)), MeanSd.Of(g.Select(r => r.Metrics.Ap75)),
                    g.Where(r => r.SharedWith is null).Sum(r => r.Seconds)))
                .ToList();

        /// <summary>
        /// Per loss and matching mode, the drop in mean IoU from the lowest to the highest ε against the drop of
        /// <paramref name="reference"/> (default L2), paired by seed: both drops, their ratio, and the reference's drop minus the
        /// loss's (mean ± sd over seeds).
        /// </summary>
        public static List<string> DropLines(IReadOnlyList<RunResult> runs, MatchingMode matching, BoxLossKind reference = BoxLossKind.L2)
        {
            var lines = new List<string>();
            var eps = runs.Select(r => r.Spec.OutlierFraction).Distinct().OrderBy(e => e).ToArray();
            if (eps.Length < 2 || !runs.Any(r => r.Spec.Loss == reference)) return lines;
            double low = eps[0], high = eps[^1];
            Dictionary<int, double> Drops(BoxLossKind loss)
            {
                var at = runs.Where(r => r.Spec.Loss == loss && r.Spec.Matching == matching)
                    .ToDictionary(r => (r.Spec.OutlierFraction, r.Spec.Seed), r => r.Metrics.MeanIouAfter);
                return at.Keys.Select(k => k.Seed).Distinct()
                    .Where(s => at.ContainsKey((low, s)) && at.ContainsKey((high, s)))
                    .ToDictionary(s => s, s => at[(low, s)] - at[(high, s)]);
            }
            var l2 = Drops(reference);
            string name = BoxLoss.Describe(reference);
            foreach (var loss in runs.Select(r => r.Spec.Loss).Distinct().Where(l => l != reference).OrderBy(l => l))
            {
                var robust = Drops(loss);
                var seeds = l2.Keys.Intersect(robust.Keys).ToArray();
                if (seeds.Length == 0) continue;
                var l2Drop = MeanSd.Of(seeds.Select(s => l2[s]));
                var drop = MeanSd.Of(seeds.Select(s => robust[s]));
                var gap = MeanSd.Of(seeds.Select(s => l2[s] - robust[s]));
                lines.Add(
                    $"{matching}, ε {low:0.0}→{high:0.0}: mean IoU drop {name} {l2Drop.Format()}, {BoxLoss.Describe(loss)} {drop.Format()} " +
                    $"({drop.Mean / l2Drop.Mean:0.00} of {name}'s drop; {name}'s drop minus {BoxLoss.Describe(loss)}'s {gap.Format()} over {seeds.Length} seed(s))");
            }
            return lines;
        }

        /// <summary>AdaptiveRobust's learned α and scale per coordinate, mean ± sd over seeds, per matching mode and ε.</summary>
        public static List<string> LearnedLines(IReadOnlyList<RunResult> runs)
            => runs.Where(r => r.Learned is not null)
                .GroupBy(r => (r.Spec.Matching, r.Spec.OutlierFraction, r.Spec.Loss))
                .OrderBy(g => g.Key.Matching).ThenBy(g => g.Key.OutlierFraction)
                .Select(g =>
                {
                    string Per(Func<LearnedLoss, double[]> values) => string.Join(", ", BoxLoss.Coordinates.Select((c, i) =>
                        $"{c} {MeanSd.Of(g.Select(r => values(r.Learned!)[i])).Format()}"));
                    return $"{BoxLoss.Describe(g.Key.Loss)} learned, {g.Key.Matching.ToString().ToLowerInvariant()} ε {g.Key.OutlierFraction:0.0} " +
                           $"({g.Count()} seed(s)): α {Per(l => l.Alpha)}; scale {Per(l => l.Scale)}";
                })
                .ToList();

        public static string Markdown(IReadOnlyList<RunResult> runs, TrainingSettings settings, string device)
        {
            var sb = new StringBuilder();
            var rows = Aggregate(runs);
            int seeds = runs.Select(r => r.Spec.Seed).Distinct().Count();
            sb.AppendLine(
                $"Settings: {settings.Steps} Adam steps (lr {settings.LearningRate:g}), {settings.ImagesPerBatch} images × {settings.RoisPerImage} RoIs per step, " +
                $"{settings.TrainImages} training images, {settings.TestImages} clean test images, {seeds} seed(s), device {device}. " +
                "Values are mean ± sd over seeds; IoU columns are over test proposals with IoU ≥ 0.5 with a true box.");
            sb.AppendLine();
            sb.AppendLine("| matching | ε | loss | IoU before | IoU after | IoU≥0.7 | IoU≥0.9 | scale bias ln(ŵ/w) | AP50 | AP75 | seconds (all seeds) |");
            sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var r in rows)
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Matching.ToString().ToLowerInvariant()} | {r.OutlierFraction:0.0} | {BoxLoss.Describe(r.Loss)} | {r.IouBefore.Format()} | **{r.IouAfter.Format()}** | " +
                    $"{r.Iou07.Format()} | {r.Iou09.Format()} | {r.ScaleBias.Format("+0.000;-0.000")} | {r.Ap50.Format()} | {r.Ap75.Format()} | {r.Seconds:0} |");
            var references = new[] { BoxLossKind.L2, BoxLossKind.SmoothL1 }.Where(l => runs.Any(r => r.Spec.Loss == l))
                .Take(runs.Select(r => r.Spec.Loss).Distinct().Count() > 2 ? 2 : 1);
            var drops = references.SelectMany(reference => Enum.GetValues<MatchingMode>().SelectMany(m => DropLines(runs, m, reference)))
                .Concat(LearnedLines(runs)).ToList();
            if (drops.Count > 0)
            {
                sb.AppendLine();
                foreach (var line in drops) sb.AppendLine("- " + line);
            }
            if (runs.Any(r => r.SharedWith is not null))
            {
                sb.AppendLine();
                sb.AppendLine("At ε = 0 the annotated boxes are the true boxes, so both matching modes are the same training run; it ran once and is listed under both.");
            }
            return sb.ToString();
        }
    }
}
