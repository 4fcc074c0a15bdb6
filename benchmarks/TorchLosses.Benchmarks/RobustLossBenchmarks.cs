using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace TorchLosses.Benchmarks
{
    /// <summary>
    /// Forward + backward of ours, libtorch's fused kernel (the baseline, so BenchmarkDotNet prints Ratio = x / fused)
    /// and the naive composition, for each loss, variant and size, float32 on the CPU.
    /// </summary>
    [MemoryDiagnoser(displayGenColumns: false)]
    public class RobustLossBenchmarks
    {
        private LossCase? lossCase;

        /// <summary>Variants to run; Program narrows it from the command line (enum values reach child processes as literals).</summary>
        public static Variant[] SelectedVariants { get; set; } = { Variant.Mean, Variant.Sum, Variant.None, Variant.Weighted, Variant.TargetGrad };

        /// <summary>Sizes to run; Program narrows it from the command line.</summary>
        public static long[] SelectedSizes { get; set; } = BenchmarkSettings.AllSizes;

        /// <summary>Sizes exposed to BenchmarkDotNet.</summary>
        public static IEnumerable<long> Sizes => SelectedSizes;

        /// <summary>Variants exposed to BenchmarkDotNet.</summary>
        public static IEnumerable<Variant> Variants => SelectedVariants;

        /// <summary>Losses to run; Program narrows it from the command line.</summary>
        public static LossKind[] SelectedLosses { get; set; } = { LossKind.Huber, LossKind.SmoothL1 };

        /// <summary>Losses exposed to BenchmarkDotNet.</summary>
        public static IEnumerable<LossKind> Losses => SelectedLosses;

        [ParamsSource(nameof(Losses))]
        public LossKind Loss { get; set; }

        [ParamsSource(nameof(Variants))]
        public Variant Variant { get; set; }

        [ParamsSource(nameof(Sizes))]
        public long N { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            BenchmarkSettings.Apply();
            lossCase = new LossCase(Loss, Variant, N);
            // Warm every path once (first-call costs of libtorch kernels and TorchSharp's P/Invoke stubs).
            lossCase.Run(Method.Fused);
            lossCase.Run(Method.Ours);
            lossCase.Run(Method.Naive);
        }

        [GlobalCleanup]
        public void Cleanup() => lossCase?.Dispose();

        [Benchmark(Baseline = true)]
        public void Fused() => lossCase!.Run(Method.Fused);

        [Benchmark]
        public void Ours() => lossCase!.Run(Method.Ours);

        [Benchmark]
        public void Naive() => lossCase!.Run(Method.Naive);
    }
}
