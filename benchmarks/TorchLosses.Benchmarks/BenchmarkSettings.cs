using System;
using TorchSharp;

namespace TorchLosses.Benchmarks
{
    /// <summary>Settings shared by every mode, so that every process measures under the same conditions.</summary>
    public static class BenchmarkSettings
    {
        /// <summary>Environment variable with the libtorch intra-op thread count (BenchmarkDotNet's child processes inherit it).</summary>
        public const string ThreadsVariable = "TORCHLOSSES_BENCH_THREADS";

        /// <summary>Environment variable: 1 makes backward run <c>loss.backward()</c> into <c>.grad</c> instead of <c>torch.autograd.grad</c>.</summary>
        public const string IntoGradVariable = "TORCHLOSSES_BENCH_INTO_GRAD";

        /// <summary>The element counts of the issue: 512 RoIs × 4, 64 Ki, 1 Mi, 16 Mi.</summary>
        public static readonly long[] AllSizes = { 2_048, 65_536, 1_048_576, 16_777_216 };

        /// <summary>
        /// One libtorch thread by default: the machine has 2 cores shared with other jobs, and one thread makes every
        /// implementation do the same work on one core (set TORCHLOSSES_BENCH_THREADS to change it).
        /// </summary>
        public static int Threads => int.TryParse(Environment.GetEnvironmentVariable(ThreadsVariable), out var n) && n > 0 ? n : 1;

        /// <summary>Applies the thread count; call once per process before any tensor work.</summary>
        public static void Apply()
        {
            torch.set_num_threads(Threads);
        }
    }
}
