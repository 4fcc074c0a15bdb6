using System.CommandLine;
using System.IO;

namespace BoxRegression
{
    /// <summary>The sample's command line (System.CommandLine 2.0).</summary>
    internal sealed class CommandLineOptions
    {
        public Option<string> Experiment { get; } = new("--experiment")
        {
            Description = "What to run: 'default' trains the chosen losses once (SmoothL1 against L2 at ε = 0.4, oracle matching, under 2 minutes on 2 cores); " +
                          "'outliers' runs the full study: L2, L1, SmoothL1, Huber × ε ∈ {0, 0.2, 0.4} × labels/oracle matching × seeds (60 distinct runs, about 30–45 minutes on a shared 2-core CPU).",
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
            Description = "Directory for metrics.json, results.md and the PNG charts (created if missing).",
            DefaultValueFactory = _ => new DirectoryInfo("out"),
        };

        public Option<BoxLossKind[]> Losses { get; } = new("--loss")
        {
            Description = "Box losses to train in the default experiment (repeatable): L2 (½x², TorchLosses huber_loss δ=∞), L1 (smooth_l1_loss β=0), SmoothL1 (β=1/9), Huber (δ=1), GIoU (generalized_box_iou_loss on the decoded boxes).",
            DefaultValueFactory = _ => [BoxLossKind.L2, BoxLossKind.SmoothL1],
            AllowMultipleArgumentsPerToken = true,
        };

        public Option<double> OutlierFraction { get; } = new("--outlier-fraction")
        {
            Description = "Fraction ε of training boxes with one edge pushed outward by 1–2× the box size (default experiment). Between 0 and 1.",
            DefaultValueFactory = _ => 0.4,
        };

        public Option<MatchingMode> Matching { get; } = new("--matching")
        {
            Description = "Default experiment: 'oracle' decides foreground by IoU with the true boxes (targets still from the noisy labels); 'labels' by IoU with the noisy labels, as Faster R-CNN does.",
            DefaultValueFactory = _ => MatchingMode.Oracle,
        };

        public Option<int?> Seeds { get; } = new("--seeds") { Description = "Number of seeds (default: 1, or 3 for --experiment outliers)." };

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
                "with TorchLosses' SmoothL1Loss / HuberLoss, and measures how robust losses keep box regression accurate when some training boxes are wrong.");
            Experiment.AcceptOnlyFromAmong("default", "outliers");
            Device.AcceptOnlyFromAmong("auto", "cpu", "cuda");
            foreach (var option in new Option[] { Experiment, Quick, Device, Out, Losses, OutlierFraction, Matching, Seeds, Steps, Threads, Save, Load })
                root.Options.Add(option);
            return root;
        }
    }
}
