using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace TorchLosses.Benchmarks
{
    /// <summary>
    /// The side-by-side stopwatch timing behind <c>--quick</c> and <c>--boxes-quick</c>: every method warms up for 0.3 s (so
    /// that .NET's tiered JIT has optimised every hot path), then the methods run in interleaved rounds, so machine noise
    /// hits them alike, each round a block of calls of about 20 ms of the baseline. Records per call the calling thread's CPU
    /// time (with one libtorch thread all tensor work runs there; time spent descheduled by other processes on a shared
    /// machine is not counted) and the wall-clock time.
    /// </summary>
    /// <typeparam name="TMethod">The implementations compared.</typeparam>
    public sealed class InterleavedTiming<TMethod> where TMethod : struct, Enum
    {
        private readonly Dictionary<TMethod, List<double>> cpu;
        private readonly Dictionary<TMethod, List<double>> wall;
        private readonly TMethod baseline;

        private InterleavedTiming(Dictionary<TMethod, List<double>> cpu, Dictionary<TMethod, List<double>> wall, TMethod baseline)
        {
            this.cpu = cpu;
            this.wall = wall;
            this.baseline = baseline;
        }

        /// <summary>Times every value of <typeparamref name="TMethod"/> through <paramref name="run"/> (one forward+backward a call).</summary>
        public static InterleavedTiming<TMethod> Measure(Action<TMethod> run, TMethod baseline, int rounds)
        {
            var methods = Enum.GetValues<TMethod>();
            foreach (var method in methods)
                for (var warmUp = Stopwatch.StartNew(); warmUp.Elapsed.TotalSeconds < 0.3;)
                    run(method);
            var probe = Stopwatch.StartNew();
            run(baseline);
            int calls = (int)Math.Clamp(0.02 / Math.Max(probe.Elapsed.TotalSeconds, 1e-7), 1, 10_000);
            var cpu = methods.ToDictionary(m => m, _ => new List<double>());
            var wall = methods.ToDictionary(m => m, _ => new List<double>());
            for (int round = 0; round < rounds; round++)
                foreach (var method in methods)
                {
                    var watch = Stopwatch.StartNew();
                    var cpuStart = NativeMemory.ThreadCpuSeconds();
                    for (int i = 0; i < calls; i++)
                        run(method);
                    cpu[method].Add((NativeMemory.ThreadCpuSeconds() - cpuStart) * 1e6 / calls);
                    wall[method].Add(watch.Elapsed.TotalMilliseconds * 1000 / calls);
                }
            return new InterleavedTiming<TMethod>(cpu, wall, baseline);
        }

        /// <summary>The median thread CPU time of <paramref name="method"/> per call, in µs.</summary>
        public double MedianMicroseconds(TMethod method) => Median(cpu[method]);

        /// <summary>The median over rounds of <paramref name="method"/>'s time over the baseline's (thread CPU, or wall-clock).</summary>
        public double Ratio(TMethod method, bool wallClock = false)
        {
            var times = wallClock ? wall : cpu;
            return Median(times[method].Zip(times[baseline], (a, b) => a / b).ToList());
        }

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }
}
