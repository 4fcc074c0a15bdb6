using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace TorchLosses.Benchmarks
{
    /// <summary>
    /// Forward + backward of the family's losses, ours against the obvious composition of TorchSharp ops (the baseline, so
    /// BenchmarkDotNet prints Ratio = ours / obvious), float32 on the CPU, Mean. Run with <c>--filter '*Family*'</c>.
    /// </summary>
    [MemoryDiagnoser(displayGenColumns: false)]
    public class FamilyBenchmarks
    {
        private FamilyCase? familyCase;

        /// <summary>Sizes to run; Program narrows it from the command line.</summary>
        public static IEnumerable<long> Sizes => RobustLossBenchmarks.SelectedSizes;

        /// <summary>Losses to run.</summary>
        public static IEnumerable<FamilyLoss> Losses => new[]
        {
            FamilyLoss.PseudoHuber, FamilyLoss.General, FamilyLoss.GeneralLearned, FamilyLoss.LogCosh, FamilyLoss.BalancedL1,
        };

        [ParamsSource(nameof(Losses))]
        public FamilyLoss Loss { get; set; }

        [ParamsSource(nameof(Sizes))]
        public long N { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            BenchmarkSettings.Apply();
            familyCase = new FamilyCase(Loss, N);
            familyCase.Run(FamilyMethod.Obvious);
            familyCase.Run(FamilyMethod.Ours);
        }

        [GlobalCleanup]
        public void Cleanup() => familyCase?.Dispose();

        [Benchmark(Baseline = true)]
        public void Obvious() => familyCase!.Run(FamilyMethod.Obvious);

        [Benchmark]
        public void Ours() => familyCase!.Run(FamilyMethod.Ours);
    }
}
