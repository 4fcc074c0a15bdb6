using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;

namespace TorchLosses.Benchmarks
{
    /// <summary>
    /// Entry point. Modes:
    /// <list type="bullet">
    /// <item>(default) BenchmarkDotNet, all remaining arguments passed on: <c>-- --filter '*'</c>;</item>
    /// <item><c>--short</c>: BenchmarkDotNet with few iterations, variant Mean only unless <c>--variants</c> is given;</item>
    /// <item><c>--memory</c>: native memory report (held between forward and backward, peak RSS, page faults);</item>
    /// <item><c>--quick [rounds]</c>: interleaved stopwatch comparison, for iterating on optimisations;</item>
    /// <item><c>--calls</c>: cost of single TorchSharp calls and of fresh large allocations (what bounds the targets);</item>
    /// <item><c>--boxes-quick [rounds]</c>: the box IoU losses against TorchVision .NET, interleaved stopwatch comparison.</item>
    /// </list>
    /// Narrowing options for every mode: <c>--variants Mean,None</c>, <c>--sizes 2048,65536</c>, <c>--losses Huber</c>; for the box
    /// IoU losses (BenchmarkDotNet class <c>BoxIoULossBenchmarks</c>, select it with <c>--filter '*BoxIoU*'</c>):
    /// <c>--boxes 512,4096</c>, <c>--box-losses GIoU,CIoU</c>.
    /// The libtorch thread count comes from TORCHLOSSES_BENCH_THREADS (default 1).
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var rest = new List<string>();
            bool isShort = false, memory = false, quick = false, boxesQuick = false;
            int rounds = 15;
            Variant[]? variants = null;
            long[]? sizes = null;
            LossKind[] losses = Enum.GetValues<LossKind>();
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--short": isShort = true; break;
                    case "--memory": memory = true; break;
                    case "--calls": CallCostProbe.Run(); return 0;
                    case "--quick":
                        quick = true;
                        if (i + 1 < args.Length && int.TryParse(args[i + 1], out var r)) { rounds = r; i++; }
                        break;
                    case "--boxes-quick":
                        boxesQuick = true;
                        if (i + 1 < args.Length && int.TryParse(args[i + 1], out var b)) { rounds = b; i++; }
                        break;
                    case "--boxes": BoxIoULossBenchmarks.SelectedCounts = List(args[++i]).Select(long.Parse).ToArray(); break;
                    case "--box-losses": BoxIoULossBenchmarks.SelectedLosses = List(args[++i]).Select(Enum.Parse<BoxLossKind>).ToArray(); break;
                    case "--variants": variants = List(args[++i]).Select(Enum.Parse<Variant>).ToArray(); break;
                    case "--sizes": sizes = List(args[++i]).Select(long.Parse).ToArray(); break;
                    case "--losses": losses = List(args[++i]).Select(Enum.Parse<LossKind>).ToArray(); break;
                    default: rest.Add(args[i]); break;
                }
            }
            var allVariants = Enum.GetValues<Variant>();
            if (memory)
            {
                MemoryReport.Run(losses, variants ?? allVariants, sizes ?? BenchmarkSettings.AllSizes);
                return 0;
            }
            if (boxesQuick)
            {
                BoxQuickCompare.Run(BoxIoULossBenchmarks.SelectedLosses, BoxIoULossBenchmarks.SelectedCounts, rounds);
                return 0;
            }
            if (quick)
            {
                QuickCompare.Run(losses, variants ?? allVariants, sizes ?? BenchmarkSettings.AllSizes, rounds);
                return 0;
            }

            RobustLossBenchmarks.SelectedVariants = variants ?? (isShort ? new[] { Variant.Mean } : allVariants);
            RobustLossBenchmarks.SelectedSizes = sizes ?? BenchmarkSettings.AllSizes;
            RobustLossBenchmarks.SelectedLosses = losses;
            if (!rest.Contains("--filter"))
                rest.AddRange(new[] { "--filter", "*" });

            var job = (isShort
                    ? Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5).WithIterationTime(TimeInterval.FromMilliseconds(100))
                    : Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(9).WithIterationTime(TimeInterval.FromMilliseconds(250)))
                .WithEnvironmentVariable(BenchmarkSettings.ThreadsVariable, BenchmarkSettings.Threads.ToString())
                .WithEnvironmentVariable(BenchmarkSettings.IntoGradVariable, LossCase.IntoLeafGrad ? "1" : "0")
                .WithId(isShort ? "Short" : "Side-by-side");
            var config = DefaultConfig.Instance.AddJob(job.AsDefault())
                .AddColumn(StatisticColumn.Median)
                .WithOptions(ConfigOptions.JoinSummary);
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.ToArray(), config);
            return 0;
        }

        private static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
