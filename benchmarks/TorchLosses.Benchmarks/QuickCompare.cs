using System;
using System.Collections.Generic;
using TorchSharp;

namespace TorchLosses.Benchmarks
{
    /// <summary>
    /// A fast side-by-side timing (<c>--quick</c>) for iterating on optimisations: the three implementations timed by
    /// <see cref="InterleavedTiming{TMethod}"/>; prints the median thread CPU time per call and the median of the per-round
    /// ratios, plus the wall-clock ratio for comparison.
    /// Not a substitute for the BenchmarkDotNet run.
    /// </summary>
    public static class QuickCompare
    {
        public static void Run(IEnumerable<LossKind> losses, IEnumerable<Variant> variants, IEnumerable<long> sizes, int rounds)
        {
            BenchmarkSettings.Apply();
            Console.WriteLine($"threads = {torch.get_num_threads()}, rounds = {rounds}; thread CPU µs per forward+backward (median), ratios = median of per-round ratios");
            Console.WriteLine();
            Console.WriteLine("| Loss | Variant | N | fused µs | ours µs | naive µs | ours/fused | naive/fused | ours/fused (wall) |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var loss in losses)
                foreach (var variant in variants)
                    foreach (var size in sizes)
                    {
                        using var lossCase = new LossCase(loss, variant, size);
                        var timing = InterleavedTiming<Method>.Measure(lossCase.Run, Method.Fused, rounds);
                        Console.WriteLine(
                            $"| {loss} | {variant} | {size:N0} | {timing.MedianMicroseconds(Method.Fused):0.0} | {timing.MedianMicroseconds(Method.Ours):0.0} | " +
                            $"{timing.MedianMicroseconds(Method.Naive):0.0} | {timing.Ratio(Method.Ours):0.00} | {timing.Ratio(Method.Naive):0.00} | " +
                            $"{timing.Ratio(Method.Ours, wallClock: true):0.00} |");
                    }
        }
    }
}
