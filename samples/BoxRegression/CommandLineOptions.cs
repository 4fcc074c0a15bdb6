using System;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;

namespace BoxRegression
{
    /// <summary>The sample's command line (System.CommandLine 2.0).</summary>
    internal sealed class CommandLineOptions
    {
        /// <summary>The ε of the outlier study when --epsilons is not given.</summary>
        public static readonly double[] StudyEpsilons = [0.0, 0.2, 0.4];

        /// <summary>The seeds of the outlier study when --seeds is not given.</summary>
        public static readonly int[] StudySeeds = [0, 1, 2];

        public Option<string> Experiment { get; } = new("--experiment")
        {
            Description = "What to run: 'default' trains the chosen losses once (SmoothL1 against L2 at ε = 0.4, oracle matching, under 2 minutes on 2 cores); " +
                          "'outliers' runs the study: L2, L1, SmoothL1, Huber, BalancedL1, GIoU, AdaptiveRobust × ε ∈ {0, 0.2, 0.4} × labels/oracle matching × seeds 0, 1, 2 " +
                          "(105 distinct runs of about 30 s each on a shared 2-core CPU: about an hour), resuming from the metrics.json in --out; --losses, --epsilons, --matching and --seeds run a subset.",
            DefaultValueFactory = _ => "default",
        };

        public Option<bool> Quick { get; } = new("--quick") { Description = "A smoke test that finishes in under a minute (few steps, small data). Numbers are not meaningful." };

        public Option<string> Device { get; } = new("--device")
        {
            Description = "auto (cuda when TorchSharp's backend has it, else cpu), cpu, or cuda (needs the TorchSharp-cuda-linux / TorchSharp-cuda-windows 0.107.0 backend package).",
            DefaultValueFactory = _ => "auto",
        };

        public Option<DirectoryInfo> Out { get; } = new("--out")
        {
            Description = "Directory for metrics.json, results.md and the PNG charts (created if missing). With --experiment outliers its metrics.json is the study's results store: runs already in it with the same settings are skipped.",
            DefaultValueFactory = _ => new DirectoryInfo("out"),
        };

        public Option<BoxLossKind[]?> Losses { get; } = new("--losses", "--loss")
        {
            Description = "Box losses, comma-separated or repeated (default: L2,SmoothL1; the outlier study: all): L2 (½x², TorchLosses huber_loss δ=∞), L1 (smooth_l1_loss β=0), " +
                          "SmoothL1 (β=1/9), Huber (δ=1), BalancedL1 (α=0.5, γ=1.5, β=1), GIoU (generalized_box_iou_loss on the decoded boxes), " +
                          "AdaptiveRobust (AdaptiveRobustLoss, α and scale learned per coordinate).",
            AllowMultipleArgumentsPerToken = true,
            CustomParser = result => ParseList(result, "loss", token =>
                Enum.TryParse<BoxLossKind>(token, ignoreCase: true, out var kind) && Enum.IsDefined(kind) && !char.IsDigit(token[0]) ? kind : (BoxLossKind?)null,
                $"one of {string.Join(", ", Enum.GetNames<BoxLossKind>())}"),
        };

        public Option<double[]?> OutlierFractions { get; } = new("--epsilons", "--outlier-fraction")
        {
            Description = "Fractions ε of training boxes with one edge pushed outward by 1–2× the box size, comma-separated, each between 0 and 1 (default: 0.4; the outlier study: 0,0.2,0.4).",
            AllowMultipleArgumentsPerToken = true,
            CustomParser = result => ParseList(result, "ε", token =>
                double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double e) && e >= 0 && e <= 1 ? e : (double?)null,
                "a number between 0 and 1"),
        };

        public Option<MatchingMode[]?> Matching { get; } = new("--matching")
        {
            Description = "Matching modes, comma-separated (default: oracle; the outlier study: labels,oracle). 'oracle' decides foreground by IoU with the true boxes " +
                          "(targets still from the noisy labels); 'labels' by IoU with the noisy labels, as Faster R-CNN does.",
            AllowMultipleArgumentsPerToken = true,
            CustomParser = result => ParseList(result, "matching mode", token =>
                Enum.TryParse<MatchingMode>(token, ignoreCase: true, out var mode) && Enum.IsDefined(mode) && !char.IsDigit(token[0]) ? mode : (MatchingMode?)null,
                "labels or oracle"),
        };

        public Option<int[]?> Seeds { get; } = new("--seeds")
        {
            Description = "Seeds, comma-separated, or a range such as 0-4 (default: 0; the outlier study: 0,1,2). Each seed makes its own training images, test images, label noise and initial weights.",
            AllowMultipleArgumentsPerToken = true,
            CustomParser = result => ParseSeeds(result),
        };

        public Option<int?> Steps { get; } = new("--steps") { Description = "Training steps per run (overrides the preset)." };

        public Option<int> Threads { get; } = new("--threads")
        {
            Description = "CPU threads for TorchSharp (torch.set_num_threads). Default 1: on a busy 2-core machine one thread measured several times faster than two.",
            DefaultValueFactory = _ => 1,
        };

        public Option<FileInfo?> Save { get; } = new("--save") { Description = "Save each trained model (backbone + head, TorchSharp format) to this file; with several runs the run's name is inserted before the extension." };

        public Option<FileInfo?> Load { get; } = new("--load") { Description = "Load a model saved with --save and only evaluate it on the clean test set (no training)." };

        public RootCommand CreateRootCommand()
        {
            var root = new RootCommand(
                "Trains the second stage of a Faster R-CNN (RoIAlign features → class scores + class-specific box deltas) on generated shape images " +
                "with TorchLosses' box losses, and measures how robust losses keep box regression accurate when some training boxes are wrong.");
            Experiment.AcceptOnlyFromAmong("default", "outliers");
            Device.AcceptOnlyFromAmong("auto", "cpu", "cuda");
            foreach (var option in new Option[] { Experiment, Quick, Device, Out, Losses, OutlierFractions, Matching, Seeds, Steps, Threads, Save, Load })
                root.Options.Add(option);
            return root;
        }

        /// <summary>The tokens split at commas, each parsed by <paramref name="item"/>, duplicates removed (first occurrence kept).</summary>
        private static T[]? ParseList<T>(ArgumentResult result, string what, Func<string, T?> item, string expected) where T : struct
        {
            var values = new System.Collections.Generic.List<T>();
            foreach (var token in Items(result))
            {
                if (item(token) is not T value)
                {
                    result.AddError($"'{token}' is not a valid {what}: expected {expected}.");
                    return null;
                }
                if (!values.Contains(value)) values.Add(value);
            }
            if (values.Count == 0)
            {
                result.AddError($"{(result.Parent is OptionResult o ? o.Option.Name : what)} needs at least one value.");
                return null;
            }
            return values.ToArray();
        }

        private static int[]? ParseSeeds(ArgumentResult result)
        {
            var seeds = new System.Collections.Generic.List<int>();
            foreach (var token in Items(result))
            {
                int dash = token.IndexOf('-', 1), first, last;
                bool ok;
                if (dash > 0)
                    ok = int.TryParse(token[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out first)
                         & int.TryParse(token[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out last) && first <= last;
                else
                {
                    ok = int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out first);
                    last = first;
                }
                if (!ok)
                {
                    result.AddError($"'{token}' is not a valid seed: expected a non-negative integer or a range such as 0-4.");
                    return null;
                }
                for (int s = first; s <= last; s++)
                    if (!seeds.Contains(s)) seeds.Add(s);
            }
            if (seeds.Count == 0)
            {
                result.AddError("--seeds needs at least one seed.");
                return null;
            }
            return seeds.ToArray();
        }

        private static string[] Items(ArgumentResult result)
            => result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.TrimEntries)).Where(s => s.Length > 0).ToArray();
    }
}
