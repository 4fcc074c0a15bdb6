using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace TorchLosses.Benchmarks
{
    /// <summary>
    /// Forward + backward of the box IoU losses, Mean, float32 on the CPU: TorchVision .NET (the baseline, so Ratio = x /
    /// TorchVision), ours (fused CPU form) and ours on strided boxes (composed ops).
    /// </summary>
    [MemoryDiagnoser(displayGenColumns: false)]
    public class BoxIoULossBenchmarks
    {
        private BoxIoUCase? boxCase;

        /// <summary>The box counts of the issue: 512 RoIs, 4,096, 100,000.</summary>
        public static readonly long[] AllCounts = { 512, 4_096, 100_000 };

        /// <summary>Box counts to run; Program narrows it from the command line.</summary>
        public static long[] SelectedCounts { get; set; } = AllCounts;

        /// <summary>Losses to run; Program narrows it from the command line.</summary>
        public static BoxLossKind[] SelectedLosses { get; set; } = { BoxLossKind.GIoU, BoxLossKind.DIoU, BoxLossKind.CIoU };

        /// <summary>Box counts exposed to BenchmarkDotNet.</summary>
        public static IEnumerable<long> Counts => SelectedCounts;

        /// <summary>Losses exposed to BenchmarkDotNet.</summary>
        public static IEnumerable<BoxLossKind> Losses => SelectedLosses;

        [ParamsSource(nameof(Losses))]
        public BoxLossKind Loss { get; set; }

        [ParamsSource(nameof(Counts))]
        public long Boxes { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            BenchmarkSettings.Apply();
            boxCase = new BoxIoUCase(Loss, Boxes);
            foreach (var method in System.Enum.GetValues<BoxMethod>())
                boxCase.Run(method);
        }

        [GlobalCleanup]
        public void Cleanup() => boxCase?.Dispose();

        [Benchmark(Baseline = true)]
        public void TorchVision() => boxCase!.Run(BoxMethod.TorchVision);

        [Benchmark]
        public void Ours() => boxCase!.Run(BoxMethod.Ours);

        [Benchmark]
        public void OursComposed() => boxCase!.Run(BoxMethod.OursComposed);
    }
}
