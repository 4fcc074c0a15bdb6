using System.Collections.Generic;
using System.IO;
using System.Linq;
using Spectre.Console;
using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>The end of a run: the results table on the console, metrics.json, results.md and the pictures.</summary>
    internal static class Report
    {
        /// <summary>Reports <paramref name="runs"/> (the runs asked for) and writes metrics.json with <paramref name="stored"/>
        /// (the whole results store of a study; the same runs otherwise).</summary>
        public static void Write(IReadOnlyList<RunResult> runs, IReadOnlyList<RunResult> stored, TrainingSettings settings, Device device, string outDirectory)
        {
            var rows = ResultSummary.Aggregate(runs);
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("matching", "ε", "loss", "IoU before", "[bold]IoU after[/]", "IoU≥0.7", "scale bias", "AP50", "AP75", "seconds");
            foreach (var r in rows)
                table.AddRow(r.Matching.ToString().ToLowerInvariant(), r.OutlierFraction.ToString("0.0"), Markup.Escape(BoxLoss.Describe(r.Loss)),
                    r.IouBefore.Format(), $"[bold]{r.IouAfter.Format()}[/]", r.Iou07.Format(), r.ScaleBias.Format("+0.000;-0.000"),
                    r.Ap50.Format(), r.Ap75.Format(), r.Seconds.ToString("0"));
            AnsiConsole.Write(table);
            foreach (var line in System.Enum.GetValues<MatchingMode>().SelectMany(m => ResultSummary.DropLines(runs, m)))
                AnsiConsole.MarkupLine(Markup.Escape(line));
            foreach (var line in ResultSummary.LearnedLines(runs))
                AnsiConsole.MarkupLine(Markup.Escape(line));

            MetricsFile.Write(Path.Combine(outDirectory, MetricsFile.FileName), stored);
            if (!ReferenceEquals(stored, runs)) MetricsFile.WriteDetails(Path.Combine(outDirectory, MetricsFile.DetailsFileName), stored);
            File.WriteAllText(Path.Combine(outDirectory, "results.md"), ResultSummary.Markdown(runs, settings, device.type.ToString().ToLowerInvariant()));

            // Pictures: the first seed at the largest ε, oracle matching when it ran.
            int seed = runs.Min(r => r.Spec.Seed);
            double eps = runs.Max(r => r.Spec.OutlierFraction);
            var matching = runs.Any(r => r.Spec.Matching == MatchingMode.Oracle) ? MatchingMode.Oracle : MatchingMode.Labels;
            var highlighted = runs.Where(r => r.Spec.Seed == seed && r.Spec.OutlierFraction == eps && r.Spec.Matching == matching)
                .OrderBy(r => r.Spec.Loss).ToList();
            string title = $"ε = {eps:0.0}, {matching.ToString().ToLowerInvariant()} matching, seed {seed}";
            var withCurves = highlighted.Where(r => r.Curve.Count > 0).ToList();   // a resumed run without curves.json has none
            if (withCurves.Count > 0) Charts.TrainingCurves(outDirectory, withCurves, title);
            if (rows.Select(r => r.OutlierFraction).Distinct().Count() > 1)
            {
                Charts.MetricAgainstOutliers(outDirectory, rows, "iou", r => r.IouAfter, "mean IoU after box regression", r => r.IouBefore.Mean, "Mean IoU");
                Charts.MetricAgainstOutliers(outDirectory, rows, "ap75", r => r.Ap75, "AP75", null, "AP75");
            }
            var proposals = new ProposalGenerator(settings.ProposalsPerObject, settings.BackgroundProposals);
            var test = TestSet.Create(ExamplePicture.Images, 1_000_003 + seed, proposals);
            var pictured = highlighted.Where(r => r.PictureRefined is not null).Select(r => (BoxLoss.Describe(r.Spec.Loss), r.PictureRefined!)).ToList();
            if (pictured.Count > 0) ExamplePicture.Save(Path.Combine(outDirectory, "examples.png"), test, pictured);
            AnsiConsole.MarkupLine($"Wrote metrics.json, results.md and PNG charts to [blue]{Markup.Escape(outDirectory)}[/]");
        }
    }
}
