using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using TorchSharp;

namespace TorchLosses.Benchmarks
{
    /// <summary>
    /// A fast side-by-side timing (<c>--quick</c>) for iterating on optimisations: the three implementations run in
    /// interleaved rounds, so machine noise hits them alike; prints the median CPU time of the calling thread per call
    /// (with one libtorch thread all tensor work runs there; time spent descheduled by other processes on this shared
    /// machine is not counted) and the median of the per-round ratios, plus the wall-clock ratio for comparison.
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
            var methods = Enum.GetValues<Method>();
            foreach (var loss in losses)
                foreach (var variant in variants)
                    foreach (var size in sizes)
                    {
                        using var lossCase = new LossCase(loss, variant, size);
                        // Warm-up of at least 0.3 s per method, so that .NET's tiered JIT has optimised every hot path.
                        foreach (var method in methods)
                            for (var warmUp = Stopwatch.StartNew(); warmUp.Elapsed.TotalSeconds < 0.3;)
                                lossCase.Run(method);
                        // Calls per timed block: about 20 ms of the fused kernel.
                        var probe = Stopwatch.StartNew();
                        lossCase.Run(Method.Fused);
                        int calls = (int)Math.Clamp(0.02 / Math.Max(probe.Elapsed.TotalSeconds, 1e-7), 1, 10_000);
                        var times = methods.ToDictionary(m => m, _ => new List<double>());
                        var wall = methods.ToDictionary(m => m, _ => new List<double>());
                        for (int round = 0; round < rounds; round++)
                            foreach (var method in methods)
                            {
                                var watch = Stopwatch.StartNew();
                                var cpu = NativeMemory.ThreadCpuSeconds();
                                for (int i = 0; i < calls; i++)
                                    lossCase.Run(method);
                                times[method].Add((NativeMemory.ThreadCpuSeconds() - cpu) * 1e6 / calls);
                                wall[method].Add(watch.Elapsed.TotalMilliseconds * 1000 / calls);
                            }
                        double RatioTo(Dictionary<Method, List<double>> t, Method m) => Median(t[m].Zip(t[Method.Fused], (a, b) => a / b).ToList());
                        Console.WriteLine(
                            $"| {loss} | {variant} | {size:N0} | {Median(times[Method.Fused]):0.0} | {Median(times[Method.Ours]):0.0} | " +
                            $"{Median(times[Method.Naive]):0.0} | {RatioTo(times, Method.Ours):0.00} | {RatioTo(times, Method.Naive):0.00} | {RatioTo(wall, Method.Ours):0.00} |");
                    }
        }

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }
}
