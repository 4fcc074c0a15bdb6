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
    /// With a results store (<paramref name="store"/>: the runs of an earlier metrics.json in the output directory) the runner
    /// resumes: a spec already in the store with the same settings is not run again, and every finished run is added to the
    /// store and written to metrics.json at once (atomically), so an interrupted study loses at most the run in progress.
    /// </summary>
    internal sealed class ExperimentRunner(TrainingSettings settings, Device device, string outDirectory, string? savePath,
        List<RunResult>? store = null)
    {
        /// <summary>Every run of the store, the earlier ones first, then those of this invocation (metrics.json's content).</summary>
        public IReadOnlyList<RunResult> Store => store ?? [];

        /// <summary>How many of the last <see cref="Run"/>'s specs were already in the store.</summary>
        public int Resumed { get; private set; }

        public List<RunResult> Run(IReadOnlyList<RunSpec> specs)
        {
            var results = new List<RunResult>();
            var pending = new List<RunSpec>();
            foreach (var spec in specs)
            {
                if (Done(spec) is { } done) results.Add(done);
                else pending.Add(spec);
            }
            Resumed = results.Count;
            if (Resumed > 0)
                AnsiConsole.MarkupLine($"{Resumed} of {specs.Count} run(s) already in {Markup.Escape(Path.Combine(outDirectory, MetricsFile.FileName))} with these settings: skipped.");
            var distinct = pending.Where(s => SharedRun(s, pending) is null).ToList();
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
                            var (model, curve, learned) = trainer.Train(batches, spec.Loss, seed, onStep);
                            var metrics = evaluator.Evaluate(model, test);
                            var picture = ExamplePicture.Refine(model, test, evaluator);
                            var result = new RunResult(spec, metrics, clock.Elapsed.TotalSeconds, curve, picture, Settings: settings, Learned: learned);
                            if (savePath is not null) Save(model, spec, distinct.Count);
                            model.Dispose();
                            var finished = new List<RunResult> { result };
                            foreach (var copy in pending.Where(s => SharedRun(s, pending) == spec))
                                finished.Add(result with { Spec = copy, SharedWith = spec.Matching.ToString().ToLowerInvariant() });
                            results.AddRange(finished);
                            if (store is not null)
                            {
                                store.AddRange(finished);
                                MetricsFile.Write(Path.Combine(outDirectory, MetricsFile.FileName), store);   // the store: every run so far
                                MetricsFile.WriteDetails(Path.Combine(outDirectory, MetricsFile.DetailsFileName), store);
                            }
                            else
                            {
                                MetricsFile.Write(Path.Combine(outDirectory, MetricsFile.FileName), results);   // partial results survive an interruption
                            }
                            endRun(result);
                        }
                    }
                }
            }

            if (distinct.Count == 0) return Ordered(results, specs);
            if (interactive)
            {
                AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .Start(ctx =>
                    {
                        var overall = ctx.AddTask($"[bold]{distinct.Count} run(s){(Resumed > 0 ? $" ({Resumed} done before)" : "")}[/]", maxValue: distinct.Count * (double)settings.Steps);
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
                                current!.Description = $"{name} [green]test IoU {r.Metrics.MeanIouBefore:0.000}→{r.Metrics.MeanIouAfter:0.000} AP50 {r.Metrics.Ap50:0.000}{Markup.Escape(LearnedText(r))}[/] ({r.Seconds:0}s)";
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
                    r => Console.WriteLine($"    test IoU {r.Metrics.MeanIouBefore:0.000} → {r.Metrics.MeanIouAfter:0.000}, AP50 {r.Metrics.Ap50:0.000}, AP75 {r.Metrics.Ap75:0.000}{LearnedText(r)} ({r.Seconds:0} s, {clock.Elapsed.TotalMinutes:0.0} min in all)"));
            }
            return Ordered(results, specs);
        }

        /// <summary>The results in the order of the specs.</summary>
        private static List<RunResult> Ordered(List<RunResult> results, IReadOnlyList<RunSpec> specs)
            => specs.Select(s => results.First(r => r.Spec == s)).ToList();

        /// <summary>The store's run of <paramref name="spec"/> with these settings, if any; at ε = 0 a run of the other matching mode
        /// is the same training run and is returned as a shared copy.</summary>
        private RunResult? Done(RunSpec spec)
        {
            if (store is null) return null;
            var same = store.Where(r => r.Settings == settings).ToList();
            if (same.LastOrDefault(r => r.Spec == spec) is { } exact) return exact;
            if (spec.OutlierFraction != 0) return null;
            var twin = same.LastOrDefault(r => r.Spec == spec with { Matching = r.Spec.Matching } && r.SharedWith is null);
            if (twin is null) return null;
            var copy = twin with { Spec = spec, SharedWith = twin.Spec.Matching.ToString().ToLowerInvariant() };
            store.Add(copy);
            return copy;
        }

        private static string LearnedText(RunResult r)
            => r.Learned is { } l
                ? ", α " + string.Join("/", l.Alpha.Select(a => a.ToString("0.00"))) + ", scale " + string.Join("/", l.Scale.Select(c => c.ToString("0.00")))
                : "";

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
