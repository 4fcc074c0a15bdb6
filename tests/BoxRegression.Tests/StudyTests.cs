using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using BoxRegression;
using TorchSharp;
using static TorchSharp.torch;

namespace BoxRegression.Tests
{
    /// <summary>The box-loss study: every loss option, AdaptiveRobust's learned parameters, resuming from the results store, and the subset options.</summary>
    public class StudyTests
    {
        private static TrainingBatch Batch(int seed, double epsilon = 0.0)
        {
            var scenes = SceneGenerator.Generate(8, seed);
            var annotated = LabelCorruption.Corrupt(scenes, epsilon, seed + 1);
            var builder = new TrainingBatchBuilder(scenes, annotated, MatchingMode.Oracle, new ProposalGenerator(perObject: 8, background: 16),
                new RoiSampler(roisPerImage: 32), new BoxCoder(), imagesPerBatch: 4);
            return builder.Next(new Random(seed + 2), CPU);
        }

        /// <summary>Barron's log Z(α = 1) = log ∫ exp(−(√(x² + 1) − 1)) dx, by the trapezoid rule on [−60, 60] (the tail beyond is below e⁻⁵⁸).</summary>
        private static double LogPartitionAtOne()
        {
            const double h = 1e-3;
            double sum = 0;
            for (int i = -60_000; i <= 60_000; i++)
            {
                double x = i * h, f = Math.Exp(-(Math.Sqrt(x * x + 1) - 1));
                sum += (i == -60_000 || i == 60_000 ? 0.5 : 1) * f;
            }
            return Math.Log(sum * h);
        }

        /// <summary>Each loss's value per residual x, written from the papers' formulas (not from TorchLosses).</summary>
        private static double Reference(BoxLossKind kind, double x)
        {
            double a = Math.Abs(x);
            switch (kind)
            {
                case BoxLossKind.L2: return 0.5 * x * x;
                case BoxLossKind.L1: return a;
                case BoxLossKind.SmoothL1: { const double beta = 1.0 / 9; return a < beta ? 0.5 * x * x / beta : a - 0.5 * beta; }
                case BoxLossKind.Huber: return a < 1 ? 0.5 * x * x : a - 0.5;
                case BoxLossKind.BalancedL1:
                {
                    const double alpha = 0.5, gamma = 1.5, beta = 1.0;   // Libra R-CNN, mmdetection's defaults
                    double b = Math.Exp(gamma / alpha) - 1;
                    return a < beta ? alpha / b * (b * a + 1) * Math.Log(b * a / beta + 1) - alpha * a : gamma * a + gamma / b - alpha * beta;
                }
                case BoxLossKind.AdaptiveRobust: return Math.Sqrt(x * x + 1) - 1 + LogPartitionAtOne();   // α = 1, c = 1 at the start: log c = 0
                default: throw new ArgumentOutOfRangeException(nameof(kind));
            }
        }

        /// <summary>The coordinate losses are summed over the foreground RoIs' four deltas and divided by the number of sampled RoIs.</summary>
        [Theory]
        [InlineData("L2")]
        [InlineData("L1")]
        [InlineData("SmoothL1")]
        [InlineData("Huber")]
        [InlineData("BalancedL1")]
        [InlineData("AdaptiveRobust")]
        public void Coordinate_losses_match_their_formulas(string name)
        {
            var kind = Enum.Parse<BoxLossKind>(name);
            using var scope = NewDisposeScope();
            using var batch = Batch(5, epsilon: 0.4);
            torch.manual_seed(9);
            var predicted = randn(batch.Targets.shape);
            using var loss = BoxLoss.Create(kind);
            double value = loss.Compute(predicted, batch.Targets, batch.SampledRois, batch.ForegroundProposals, batch.TargetBoxes).item<float>();
            var p = predicted.data<float>().ToArray();
            var t = batch.Targets.data<float>().ToArray();
            double expected = p.Zip(t, (a, b) => Reference(kind, (double)a - b)).Sum() / batch.SampledRois;
            Assert.True(p.Length >= 16, $"{p.Length} coordinates");
            Assert.True(Math.Abs(value - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"{kind}: {value} vs {expected}");
        }

        /// <summary>Every loss option trains: a few Adam steps on one batch (with the loss's own parameters, for AdaptiveRobust) lower that loss.</summary>
        [Theory]
        [InlineData("L2")]
        [InlineData("L1")]
        [InlineData("SmoothL1")]
        [InlineData("Huber")]
        [InlineData("BalancedL1")]
        [InlineData("AdaptiveRobust")]
        public void Training_steps_lower_the_loss(string name)
        {
            var kind = Enum.Parse<BoxLossKind>(name);
            using var scope = NewDisposeScope();
            torch.manual_seed(3);
            using var batch = Batch(7, epsilon: 0.2);
            using var model = new FastRcnnModel();
            model.train();
            using var loss = BoxLoss.Create(kind);
            Assert.Equal(kind == BoxLossKind.AdaptiveRobust ? 2 : 0, loss.Parameters.Count);
            using var optimizer = new ExplicitScalarAdam([(model.parameters(), 1e-3), (loss.Parameters, 1e-2)]);
            float Step()
            {
                using var step = NewDisposeScope();
                var (_, deltas) = model.Forward(batch.Images, batch.Rois, batch.RoisPerImage);
                var predicted = deltas.reshape(-1, 4).index_select(0, batch.ForegroundRows);
                var value = loss.Compute(predicted, batch.Targets, batch.SampledRois, batch.ForegroundProposals, batch.TargetBoxes);
                optimizer.zero_grad();
                value.backward();
                optimizer.Step();
                return value.item<float>();
            }
            var losses = Enumerable.Range(0, 8).Select(_ => Step()).ToArray();
            Assert.All(losses, value => Assert.True(float.IsFinite(value)));
            Assert.True(losses[^1] < losses[0], string.Join(", ", losses));
        }

        private static readonly TrainingSettings Tiny = new(Steps: 10, ImagesPerBatch: 2, RoisPerImage: 16, TrainImages: 8, TestImages: 4);

        /// <summary>AdaptiveRobust's α and scale are trained (they leave their start α = 1, c = 1), stay in their ranges, and the
        /// runner writes them, per coordinate, into metrics.json; the other losses have none.</summary>
        [Fact]
        public void AdaptiveRobust_records_its_learned_alpha_and_scale()
        {
            string directory = Directory.CreateTempSubdirectory("boxstudy").FullName;
            try
            {
                var runner = new ExperimentRunner(Tiny, CPU, directory, savePath: null, store: []);
                var specs = new[] { new RunSpec(BoxLossKind.AdaptiveRobust, 0.4, MatchingMode.Oracle, 1), new RunSpec(BoxLossKind.L1, 0.4, MatchingMode.Oracle, 1) };
                var runs = runner.Run(specs);
                var learned = runs[0].Learned;
                Assert.NotNull(learned);
                Assert.Null(runs[1].Learned);
                Assert.Equal(4, learned.Alpha.Length);
                Assert.Equal(4, learned.Scale.Length);
                Assert.All(learned.Alpha, a => Assert.True(a > 0.001 && a < 1.999 && Math.Abs(a - 1) > 1e-3, $"α {a}"));
                Assert.All(learned.Scale, c => Assert.True(c > 1e-5 && Math.Abs(c - 1) > 1e-3, $"scale {c}"));

                var json = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "metrics.json")))!.AsArray();
                var adaptive = json.Single(o => (string)o!["loss"]! == "AdaptiveRobust")!;
                Assert.Equal(learned.Alpha, adaptive["alpha"]!.AsArray().Select(v => (double)v!).ToArray());
                Assert.Equal(learned.Scale, adaptive["scale"]!.AsArray().Select(v => (double)v!).ToArray());
                Assert.Null(json.Single(o => (string)o!["loss"]! == "L1")!["alpha"]);
                Assert.Equal(Tiny.Steps, (int)adaptive["settings"]!["steps"]!);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        private static RunResult Stored(RunSpec spec, double iou, TrainingSettings settings)
            => new(spec, new EvaluationMetrics(10, 0.5, iou, 1, 0.5, 0.1, 0.01, 0.8, 0.4), 12.5, [], null, Settings: settings);

        /// <summary>Resuming: a run already in the store with the same settings is not trained again (its stored numbers come back,
        /// which no training could produce), at ε = 0 the other matching mode's run is reused, and a stored run with other
        /// settings is trained afresh. metrics.json keeps every run.</summary>
        [Fact]
        public void Resume_skips_runs_already_in_the_store()
        {
            string directory = Directory.CreateTempSubdirectory("boxstudy").FullName;
            try
            {
                var done = new RunSpec(BoxLossKind.SmoothL1, 0.4, MatchingMode.Oracle, 0);
                var labelsAtZero = new RunSpec(BoxLossKind.L2, 0.0, MatchingMode.Labels, 0);
                var otherSettings = new RunSpec(BoxLossKind.L1, 0.4, MatchingMode.Oracle, 0);
                MetricsFile.Write(Path.Combine(directory, "metrics.json"),
                    [Stored(done, -1, Tiny), Stored(labelsAtZero, -2, Tiny), Stored(otherSettings, -3, Tiny with { Steps = 11 })]);

                var store = MetricsFile.Read(Path.Combine(directory, "metrics.json"));
                Assert.Equal(3, store.Count);
                Assert.Equal(Tiny, store[0].Settings);
                var runner = new ExperimentRunner(Tiny, CPU, directory, savePath: null, store);
                var oracleAtZero = labelsAtZero with { Matching = MatchingMode.Oracle };
                var runs = runner.Run([done, oracleAtZero, otherSettings]);

                Assert.Equal(2, runner.Resumed);
                Assert.Equal(-1, runs[0].Metrics.MeanIouAfter);
                Assert.Equal(12.5, runs[0].Seconds);
                Assert.Equal(oracleAtZero, runs[1].Spec);
                Assert.Equal(-2, runs[1].Metrics.MeanIouAfter);
                Assert.Equal("labels", runs[1].SharedWith);
                Assert.InRange(runs[2].Metrics.MeanIouAfter, 0, 1);   // trained: a real IoU, not the stored −3
                Assert.NotEmpty(runs[2].Curve);

                var written = MetricsFile.Read(Path.Combine(directory, "metrics.json"));
                Assert.Equal(5, written.Count);   // the three stored, the shared copy, the new L1 run
                Assert.Contains(written, r => r.Spec == otherSettings && r.Settings == Tiny with { Steps = 11 });
                Assert.Contains(written, r => r.Spec == otherSettings && r.Settings == Tiny && r.Metrics.MeanIouAfter == runs[2].Metrics.MeanIouAfter);

                // Run again: now everything is in the store and nothing trains.
                var again = new ExperimentRunner(Tiny, CPU, directory, savePath: null, MetricsFile.WithDetails(Path.Combine(directory, "curves.json"), written));
                var rerun = again.Run([done, oracleAtZero, otherSettings]);
                Assert.Equal(3, again.Resumed);
                Assert.Equal(runs[2].Metrics, rerun[2].Metrics);
                Assert.Equal(runs[2].Curve, rerun[2].Curve);   // the curve comes back from curves.json
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        /// <summary>metrics.json round-trips a run: spec, metrics, settings and learned parameters.</summary>
        [Fact]
        public void Metrics_file_round_trips_a_run()
        {
            string path = Path.Combine(Directory.CreateTempSubdirectory("boxstudy").FullName, "metrics.json");
            try
            {
                var run = Stored(new RunSpec(BoxLossKind.AdaptiveRobust, 0.2, MatchingMode.Labels, 4), 0.123456789012345, Tiny)
                    with { Learned = new LearnedLoss([0.1, 0.2, 0.3, 1.0 / 3], [1.5, 1e-3, 2, Math.PI]), SharedWith = "oracle" };
                MetricsFile.Write(path, [run]);
                var read = MetricsFile.Read(path).Single();
                Assert.Equal(run.Spec, read.Spec);
                Assert.Equal(run.Metrics, read.Metrics);
                Assert.Equal(run.Settings, read.Settings);
                Assert.Equal(run.SharedWith, read.SharedWith);
                Assert.Equal(run.Learned!.Alpha, read.Learned!.Alpha);
                Assert.Equal(run.Learned.Scale, read.Learned.Scale);
                Assert.False(File.Exists(path + ".tmp"));
            }
            finally
            {
                Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
            }
        }

        private static List<RunSpec> Specs(string commandLine)
        {
            var options = new CommandLineOptions();
            var parsed = options.CreateRootCommand().Parse(commandLine);
            Assert.Empty(parsed.Errors);
            return Program.Specs(parsed, options, parsed.GetValue(options.Experiment) == "outliers");
        }

        /// <summary>--losses, --epsilons, --seeds and --matching select a subset of the study; without them the study is every
        /// combination and the default run is SmoothL1 against L2 at ε = 0.4, oracle matching, seed 0.</summary>
        [Fact]
        public void Subset_options_select_the_runs()
        {
            var subset = Specs("--experiment outliers --losses L2,GIoU --epsilons 0,0.4 --seeds 1,2,3 --matching oracle");
            var expected = (from seed in new[] { 1, 2, 3 } from eps in new[] { 0.0, 0.4 } from loss in new[] { BoxLossKind.L2, BoxLossKind.GIoU }
                            select new RunSpec(loss, eps, MatchingMode.Oracle, seed)).ToList();
            Assert.Equal(expected, subset);

            var study = Specs("--experiment outliers");
            Assert.Equal(7 * 3 * 2 * 3, study.Count);
            Assert.Equal(Enum.GetValues<BoxLossKind>(), study.Select(s => s.Loss).Distinct().Order());
            Assert.Equal(new[] { 0.0, 0.2, 0.4 }, study.Select(s => s.OutlierFraction).Distinct().Order());
            Assert.Equal(new[] { 0, 1, 2 }, study.Select(s => s.Seed).Distinct().Order());
            Assert.Equal(study.Count, study.Distinct().Count());
            Assert.Equal(["L2", "L1", "SmoothL1", "Huber", "BalancedL1", "GIoU", "AdaptiveRobust"], Enum.GetNames<BoxLossKind>());

            Assert.Equal([new RunSpec(BoxLossKind.L2, 0.4, MatchingMode.Oracle, 0), new RunSpec(BoxLossKind.SmoothL1, 0.4, MatchingMode.Oracle, 0)], Specs(""));

            // Repeated options, spaces, a seed range, case, duplicates and the older names.
            var mixed = Specs("--loss L1 --loss adaptiverobust,L1 --outlier-fraction 0.2 --seeds 0-2,5 --matching labels,oracle");
            Assert.Equal(new[] { BoxLossKind.L1, BoxLossKind.AdaptiveRobust }, mixed.Select(s => s.Loss).Distinct());
            Assert.Equal(new[] { 0, 1, 2, 5 }, mixed.Select(s => s.Seed).Distinct());
            Assert.Equal(new[] { MatchingMode.Labels, MatchingMode.Oracle }, mixed.Select(s => s.Matching).Distinct());
            Assert.Equal(2 * 4 * 2, mixed.Count);
        }

        /// <summary>Bad values are parse errors that name the value.</summary>
        [Theory]
        [InlineData("--losses L2,Cauchy", "Cauchy")]
        [InlineData("--losses 3", "'3'")]
        [InlineData("--epsilons 0,1.5", "1.5")]
        [InlineData("--seeds 1,x", "'x'")]
        [InlineData("--seeds 3-1", "3-1")]
        [InlineData("--matching truth", "truth")]
        public void Bad_subset_values_are_errors(string commandLine, string named)
        {
            var parsed = new CommandLineOptions().CreateRootCommand().Parse(commandLine);
            Assert.Contains(parsed.Errors, e => e.Message.Contains(named, StringComparison.Ordinal));
        }

        /// <summary>Adam with parameter groups is Adam per group: the same steps as one optimiser per group with its learning rate.</summary>
        [Fact]
        public void Adam_parameter_groups_use_their_own_learning_rates()
        {
            using var scope = NewDisposeScope();
            torch.manual_seed(1);
            var a1 = new TorchSharp.Modules.Parameter(randn(3, 2));
            var b1 = new TorchSharp.Modules.Parameter(randn(4));
            var a2 = new TorchSharp.Modules.Parameter(a1.detach().clone());
            var b2 = new TorchSharp.Modules.Parameter(b1.detach().clone());
            var a0 = a1.detach().clone();
            var b0 = b1.detach().clone();
            using var grouped = new ExplicitScalarAdam([(new[] { a1 }, 1e-3), (new[] { b1 }, 1e-1)]);
            using var first = new ExplicitScalarAdam([a2], 1e-3);
            using var second = new ExplicitScalarAdam([b2], 1e-1);
            for (int i = 0; i < 5; i++)
            {
                foreach (var (a, b) in new[] { (a1, b1), (a2, b2) })
                {
                    a.grad?.zero_();
                    b.grad?.zero_();
                    a.pow(3.ToScalar()).sum().add(b.sin().sum(), 1.ToScalar()).backward();
                }
                grouped.Step();
                first.Step();
                second.Step();
            }
            Assert.True(a1.allclose(a2, rtol: 0, atol: 0) && b1.allclose(b2, rtol: 0, atol: 0));
            // Adam moves each element by about its learning rate per step: at most 5e-3 for a, about 0.5 for b.
            Assert.True(a1.detach().sub(a0).abs().max().item<float>() < 6e-3);
            Assert.True(b1.detach().sub(b0).abs().max().item<float>() > 0.3);
        }
    }
}
