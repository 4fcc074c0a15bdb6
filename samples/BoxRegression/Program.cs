using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Collections.Generic;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>Entry point: parses the command line, picks the device, runs the experiment and writes the report.</summary>
    internal static class Program
    {
        private const int UsageError = 2;

        public static int Main(string[] args)
        {
            // Numbers in tables, file names and JSON use '.' whatever the user's locale.
            System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
            if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;   // logs: keep the results table on one line per row
            var options = new CommandLineOptions();
            var root = options.CreateRootCommand();
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
                Console.Error.WriteLine("Run with --help for the options.");
                return UsageError;
            }
            root.SetAction(result => Run(result, options));
            return parsed.Invoke();
        }

        private static int Run(ParseResult result, CommandLineOptions options)
        {
            bool outliers = result.GetValue(options.Experiment) == "outliers";
            bool quick = result.GetValue(options.Quick);
            int? steps = result.GetValue(options.Steps);
            var load = result.GetValue(options.Load);
            if (steps is < 1) return Usage($"--steps must be at least 1, got {steps}.");
            int threads = result.GetValue(options.Threads);
            if (threads < 1) return Usage($"--threads must be at least 1, got {threads}.");
            if (load is not null && !load.Exists) return Usage($"--load: file '{load.FullName}' does not exist.");

            string deviceName = result.GetValue(options.Device)!;
            bool cuda = cuda_is_available();
            if (deviceName == "cuda" && !cuda)
                return Usage("--device cuda: CUDA is not available. CUDA needs a CUDA TorchSharp backend package " +
                             "(TorchSharp-cuda-linux or TorchSharp-cuda-windows 0.107.0) in place of TorchSharp-cpu, and an NVIDIA driver.");
            var device = deviceName == "cuda" || (deviceName == "auto" && cuda) ? CUDA : CPU;

            torch.set_num_threads(threads);
            var outDirectory = result.GetValue(options.Out)!;
            outDirectory.Create();
            var settings = quick ? TrainingSettings.Quick : outliers ? TrainingSettings.Experiment : TrainingSettings.Default;
            if (steps is int s) settings = settings with { Steps = s };
            AnsiConsole.MarkupLine($"[bold]BoxRegression[/] on [blue]{device.type}[/]: {settings.Steps} steps × {settings.ImagesPerBatch} images × {settings.RoisPerImage} RoIs, " +
                                   $"{settings.TrainImages} training / {settings.TestImages} test images");

            if (load is not null) return Evaluate(load, settings, device, outDirectory.FullName);

            var specs = Specs(result, options, outliers);
            // The outlier study resumes: the metrics.json in --out is its results store (runs with the same settings are skipped).
            var store = outliers ? MetricsFile.WithDetails(Path.Combine(outDirectory.FullName, MetricsFile.DetailsFileName),
                                                           MetricsFile.Read(Path.Combine(outDirectory.FullName, MetricsFile.FileName)))
                                 : null;
            if (store is not null && store.Any(r => r.Settings != settings))
                AnsiConsole.MarkupLine($"[yellow]{store.Count(r => r.Settings != settings)} run(s) in {Markup.Escape(Path.Combine(outDirectory.FullName, MetricsFile.FileName))} " +
                                       "have other settings: they stay in the file but are not reused or reported.[/]");
            var runner = new ExperimentRunner(settings, device, outDirectory.FullName, result.GetValue(options.Save)?.FullName, store);
            var runs = runner.Run(specs);
            Report.Write(runs, store ?? runs, settings, device, outDirectory.FullName);
            return 0;
        }

        /// <summary>The runs asked for: losses × ε × matching × seeds, each defaulting to the default experiment's or the study's
        /// values; seed, then ε, then matching, then loss (so a stopped study has whole seeds done first).</summary>
        internal static List<RunSpec> Specs(ParseResult result, CommandLineOptions options, bool outliers)
        {
            // An option not given reads as an empty array (System.CommandLine's default for arrays): use the defaults then.
            static T[]? Given<T>(T[]? values) => values is { Length: > 0 } ? values : null;
            var losses = Given(result.GetValue(options.Losses)) ?? (outliers ? Enum.GetValues<BoxLossKind>() : [BoxLossKind.L2, BoxLossKind.SmoothL1]);
            var epsilons = Given(result.GetValue(options.OutlierFractions)) ?? (outliers ? CommandLineOptions.StudyEpsilons : [0.4]);
            var matchings = Given(result.GetValue(options.Matching)) ?? (outliers ? [MatchingMode.Labels, MatchingMode.Oracle] : [MatchingMode.Oracle]);
            var seeds = Given(result.GetValue(options.Seeds)) ?? (outliers ? CommandLineOptions.StudySeeds : [0]);
            return (from seed in seeds
                    from eps in epsilons
                    from matching in matchings
                    from loss in losses
                    select new RunSpec(loss, eps, matching, seed)).ToList();
        }

        private static int Evaluate(FileInfo file, TrainingSettings settings, Device device, string outDirectory)
        {
            using var model = new FastRcnnModel();
            try
            {
                model.load(file.FullName);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
            {
                return Usage($"--load: '{file.FullName}' is not a model saved by this sample ({e.Message}).");
            }
            model.to(device);
            model.eval();
            var proposals = new ProposalGenerator(settings.ProposalsPerObject, settings.BackgroundProposals);
            var test = TestSet.Create(settings.TestImages, 1_000_003, proposals);
            var evaluator = new Evaluator(device);
            var m = evaluator.Evaluate(model, test);
            AnsiConsole.MarkupLine($"{Markup.Escape(file.Name)} on {settings.TestImages} clean test images: mean IoU {m.MeanIouBefore:0.000} → [bold]{m.MeanIouAfter:0.000}[/], " +
                                   $"IoU≥0.7 {m.IouAtLeast07:0.000}, scale bias {m.ScaleBias:+0.000;-0.000}, AP50 {m.Ap50:0.000}, AP75 {m.Ap75:0.000}");
            ExamplePicture.Save(Path.Combine(outDirectory, "examples.png"), test, [(file.Name, ExamplePicture.Refine(model, test, evaluator))]);
            return 0;
        }

        private static int Usage(string message)
        {
            Console.Error.WriteLine($"error: {message}");
            return UsageError;
        }
    }
}
