using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using TorchSharp;

namespace TorchLosses.Benchmarks
{
    /// <summary>
    /// <c>--boxes-quick [rounds]</c>: the box IoU losses' side-by-side timing, as <see cref="QuickCompare"/> for the robust
    /// losses: interleaved rounds, median thread CPU time per forward+backward and the median of the per-round ratios.
    /// </summary>
    public static class BoxQuickCompare
    {
        public static void Run(IEnumerable<BoxLossKind> losses, IEnumerable<long> counts, int rounds)
        {
            BenchmarkSettings.Apply();
            Console.WriteLine($"threads = {torch.get_num_threads()}, rounds = {rounds}; thread CPU µs per forward+backward (median), ratios = median of per-round ratios");
            Console.WriteLine();
            Console.WriteLine("| Loss | Boxes | TorchVision µs | ours µs | ours composed µs | ours/TorchVision | composed/TorchVision | ours/TorchVision (wall) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            var methods = Enum.GetValues<BoxMethod>();
            foreach (var loss in losses)
                foreach (var count in counts)
                {
                    using var boxCase = new BoxIoUCase(loss, count);
                    foreach (var method in methods)
                        for (var warmUp = Stopwatch.StartNew(); warmUp.Elapsed.TotalSeconds < 0.3;)
                            boxCase.Run(method);
                    var probe = Stopwatch.StartNew();
                    boxCase.Run(BoxMethod.TorchVision);
                    int calls = (int)Math.Clamp(0.02 / Math.Max(probe.Elapsed.TotalSeconds, 1e-7), 1, 10_000);
                    var times = methods.ToDictionary(m => m, _ => new List<double>());
                    var wall = methods.ToDictionary(m => m, _ => new List<double>());
                    for (int round = 0; round < rounds; round++)
                        foreach (var method in methods)
                        {
                            var watch = Stopwatch.StartNew();
                            var cpu = NativeMemory.ThreadCpuSeconds();
                            for (int i = 0; i < calls; i++)
                                boxCase.Run(method);
                            times[method].Add((NativeMemory.ThreadCpuSeconds() - cpu) * 1e6 / calls);
                            wall[method].Add(watch.Elapsed.TotalMilliseconds * 1000 / calls);
                        }
                    double RatioTo(Dictionary<BoxMethod, List<double>> t, BoxMethod m) =>
                        Median(t[m].Zip(t[BoxMethod.TorchVision], (a, b) => a / b).ToList());
                    Console.WriteLine(
                        $"| {loss} | {count:N0} | {Median(times[BoxMethod.TorchVision]):0.0} | {Median(times[BoxMethod.Ours]):0.0} | " +
                        $"{Median(times[BoxMethod.OursComposed]):0.0} | {RatioTo(times, BoxMethod.Ours):0.00} | " +
                        $"{RatioTo(times, BoxMethod.OursComposed):0.00} | {RatioTo(wall, BoxMethod.Ours):0.00} |");
                }
        }

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }
}
