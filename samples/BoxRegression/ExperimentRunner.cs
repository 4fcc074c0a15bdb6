using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Spectre.Console;
using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>
    /// Runs a list of <see cref="RunSpec"/>s with a Spectre.Console progress display. Per seed the training images, the test
    /// set and (per ε) the corrupted labels are made once and shared by every loss; the ε = 0 run is shared by both matching modes.
    /// </summary>
    internal sealed class ExperimentRunner(TrainingSettings settings, Device device, string outDirectory, string? savePath)
    {
        public List<RunResult> Run(IReadOnlyList<RunSpec> specs)
        {
            var results = new List<RunResult>();
            var distinct = specs.Where(s => SharedRun(s, specs) is null).ToList();
            var proposals = new ProposalGenerator(settings.ProposalsPerObject, settings.BackgroundProposals);
            var evaluator = new Evaluator(device);
            var trainer = new Trainer(settings, device);
            var sampler = new RoiSampler(settings.RoisPerImage);
            var coder = new BoxCoder();
            bool interactive = AnsiConsole.Profile.Capabilities.Interactive;

            void RunAll(Action<string, int> startRun, Action<int, double, double> onStep, Action<RunResult> endRun)
            {
                foreach (var seedGroup in distinct.GroupBy(s => s.Seed))
                {
                    int seed = seedGroup.Key;
                    var train = SceneGenerator.Generate(settings.TrainImages, seed);
                    var test = TestSet.Create(settings.TestImages, 1_000_003 + seed, proposals);   // its own seed; labels stay clean
                    foreach (var epsGroup in seedGroup.GroupBy(s => s.OutlierFraction))
                    {
                        var annotated = LabelCorruption.Corrupt(train, epsGroup.Key, 7 * seed + 3);
                        foreach (var spec in epsGroup)
                        {
                            var batches = new TrainingBatchBuilder(train, annotated, spec.Matching, proposals, sampler, coder, settings.ImagesPerBatch);
                            startRun(Describe(spec), settings.Steps);
                            var clock = Stopwatch.StartNew();
                            var (model, curve) = trainer.Train(batches, spec.Loss, seed, onStep);
                            var metrics = evaluator.Evaluate(model, test);
                            var picture = ExamplePicture.Refine(model, test, evaluator);
                            var result = new RunResult(spec, metrics, clock.Elapsed.TotalSeconds, curve, picture);
                            if (savePath is not null) Save(model, spec, distinct.Count);
                            model.Dispose();
                            results.Add(result);
                            foreach (var copy in specs.Where(s => SharedRun(s, specs) == spec))
                                results.Add(result with { Spec = copy, SharedWith = spec.Matching.ToString().ToLowerInvariant() });
                            MetricsFile.Write(Path.Combine(outDirectory, "metrics.json"), results);   // partial results survive an interruption
                            endRun(result);
                        }
                    }
                }
            }

            if (interactive)
            {
                AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .Start(ctx =>
                    {
                        var overall = ctx.AddTask($"[bold]{distinct.Count} run(s)[/]", maxValue: distinct.Count * (double)settings.Steps);
                        ProgressTask? current = null;
                        string name = "";
                        RunAll(
                            (n, steps) => { name = Markup.Escape(n); current = ctx.AddTask(name, maxValue: steps); },
                            (step, loss, iou) =>
                            {
                                current!.Value = step;
                                current.Description = $"{name} loss {loss:0.000} IoU {iou:0.000}";
                                overall.Increment(10);
                            },
                            r =>
                            {
                                current!.Description = $"{name} [green]test IoU {r.Metrics.MeanIouBefore:0.000}→{r.Metrics.MeanIouAfter:0.000} AP50 {r.Metrics.Ap50:0.000}[/] ({r.Seconds:0}s)";
                                current.StopTask();
                            });
                        overall.Value = overall.MaxValue;
                    });
            }
            else
            {
                int done = 0;
                var clock = Stopwatch.StartNew();
                RunAll(
                    (n, _) => Console.WriteLine($"[{++done}/{distinct.Count}] {n}"),
                    (step, loss, iou) => { if (step % 100 == 0 || step == settings.Steps) Console.WriteLine($"    step {step}/{settings.Steps} loss {loss:0.000} IoU {iou:0.000}"); },
                    r => Console.WriteLine($"    test IoU {r.Metrics.MeanIouBefore:0.000} → {r.Metrics.MeanIouAfter:0.000}, AP50 {r.Metrics.Ap50:0.000}, AP75 {r.Metrics.Ap75:0.000} ({r.Seconds:0} s, {clock.Elapsed.TotalMinutes:0.0} min in all)"));
            }
            return results;
        }

        /// <summary>At ε = 0 the labels are the true boxes, so oracle matching is the labels-matching run; returns that run.</summary>
        private static RunSpec? SharedRun(RunSpec spec, IReadOnlyList<RunSpec> all)
        {
            if (spec.OutlierFraction != 0 || spec.Matching != MatchingMode.Oracle) return null;
            var twin = spec with { Matching = MatchingMode.Labels };
            return all.Contains(twin) ? twin : null;
        }

        private void Save(FastRcnnModel model, RunSpec spec, int runCount)
        {
            string path = savePath!;
            if (runCount > 1)
                path = Path.Combine(Path.GetDirectoryName(path) ?? "", $"{Path.GetFileNameWithoutExtension(path)}.{Describe(spec, fileName: true)}{Path.GetExtension(path)}");
            model.save(path);
            Console.WriteLine($"saved {path}");
        }

        public static string Describe(RunSpec spec, bool fileName = false)
            => fileName
                ? $"{spec.Loss.ToString().ToLowerInvariant()}-eps{spec.OutlierFraction:0.0}-{spec.Matching.ToString().ToLowerInvariant()}-seed{spec.Seed}"
                : $"{BoxLoss.Describe(spec.Loss)} ε={spec.OutlierFraction:0.0} {spec.Matching.ToString().ToLowerInvariant()} seed {spec.Seed}";
    }
}
