using System;
using System.Collections.Generic;
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
            foreach (var loss in losses)
                foreach (var count in counts)
                {
                    using var boxCase = new BoxIoUCase(loss, count);
                    var timing = InterleavedTiming<BoxMethod>.Measure(boxCase.Run, BoxMethod.TorchVision, rounds);
                    Console.WriteLine(
                        $"| {loss} | {count:N0} | {timing.MedianMicroseconds(BoxMethod.TorchVision):0.0} | {timing.MedianMicroseconds(BoxMethod.Ours):0.0} | " +
                        $"{timing.MedianMicroseconds(BoxMethod.OursComposed):0.0} | {timing.Ratio(BoxMethod.Ours):0.00} | " +
                        $"{timing.Ratio(BoxMethod.OursComposed):0.00} | {timing.Ratio(BoxMethod.Ours, wallClock: true):0.00} |");
                }
        }
    }
}
