using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using TorchLosses.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// Guards TorchSharp 0.107's Scalar GC hole: a Scalar finalized while libtorch still reads it gives "Unknown scalar type" or
    /// garbage. Forward and backward run in a loop while another thread collects garbage non-stop; every result is checked.
    /// It runs alone (its own collection, no parallel tests): full collections of a heap that thousands of parallel tests
    /// fill starved it to 40 iterations in 49 s on a 2-core CI run.
    /// </summary>
    [Collection(GcPressureCollection.Name)]
    public class GcPressureTests(ITestOutputHelper output)
    {
        private const int MaxIterations = 20_000;
        private static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(8);

        [Fact]
        public void Forward_and_backward_stay_correct_while_the_gc_runs_continuously()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float64, 1.0, 1);
            var target = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float64, 1.0, 2);
            var weight = Inputs.Uniform(new long[] { 4 }, ScalarType.Float64, 1.0, 3);
            var betas = Inputs.Of(ScalarType.Float64, 0.5, 0.0, 1.0 / 9, 2.0);

            // Three variants that between them create every Scalar the library creates (clamp bounds, −½, 1/N, β, normalizer).
            Func<Tensor, Tensor, Tensor>[] variants =
            {
                (x, t) => functional.huber_loss(x, t, 0.3),
                (x, t) => functional.smooth_l1_loss(x, t, nn.Reduction.Mean, 1.0 / 9, weight, normalizer: 3.0),
                (x, t) => functional.smooth_l1_loss(x, t, betas, nn.Reduction.Sum, weight),
            };
            var expected = variants.Select(loss =>
            {
                using var inner = NewDisposeScope();
                var result = Evaluation.Of(loss, input, target);
                return (Value: HostValues.Scalar(result.Value), Gradient: HostValues.Of(result.InputGradient));
            }).ToArray();

            using var stop = new CancellationTokenSource();
            var collector = new Thread(() =>
            {
                // A collection, then a 200 µs gap: back-to-back collections starve the test thread (each return from
                // native code waits for the running collection; on a quiet 2-core machine that left 1 iteration in 87 s).
                var gap = Stopwatch.StartNew();
                while (!stop.IsCancellationRequested)
                {
                    GC.Collect(0, GCCollectionMode.Forced, blocking: true); // the short-lived Scalars are in generation 0
                    gap.Restart();
                    while (gap.Elapsed.TotalMilliseconds < 0.2)
                        Thread.SpinWait(20);
                }
            }) { IsBackground = true };
            collector.Start();
            try
            {
                var clock = Stopwatch.StartNew();
                int iteration = 0;
                for (; iteration < MaxIterations && clock.Elapsed < MaxDuration; iteration++)
                {
                    using var step = NewDisposeScope();
                    int v = iteration % variants.Length;
                    var result = Evaluation.Of(variants[v], input, target);
                    Assert.Equal(expected[v].Value, HostValues.Scalar(result.Value));
                    Assert.Equal(expected[v].Gradient, HostValues.Of(result.InputGradient));
                }
                output.WriteLine($"{iteration} iterations in {clock.Elapsed.TotalSeconds:F1} s");
                Assert.True(iteration >= 300, $"only {iteration} iterations ran");
            }
            finally
            {
                stop.Cancel();
                collector.Join();
            }
        }
    }

    /// <summary>Runs the GC-pressure test after the parallel tests, alone.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public static class GcPressureCollection
    {
        public const string Name = "GC pressure (runs alone)";
    }
}
