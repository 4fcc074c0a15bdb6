using System;
using System.Linq;
using System.Threading;
using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// TorchSharp keeps one static instance of the autograd Function; threads that call the losses at the same time with
    /// different thresholds, reductions and weights must each get their own result.
    /// </summary>
    public class ConcurrencyTests
    {
        private sealed record Job(LossKind Kind, double Threshold, nn.Reduction Reduction, bool Weighted);

        private static readonly Job[] Jobs =
        {
            new(LossKind.Huber, 0.25, nn.Reduction.Mean, false),
            new(LossKind.SmoothL1, 2.0, nn.Reduction.Sum, true),
            new(LossKind.Huber, 4.0, nn.Reduction.None, true),
            new(LossKind.SmoothL1, 0.0, nn.Reduction.Mean, false),
        };

        private static (double[] Value, double[] InputGradient, double[] TargetGradient) Compute(Job job, Tensor input, Tensor target, Tensor weight, Tensor upstream)
        {
            using var scope = NewDisposeScope();
            var result = Evaluation.Of((x, t) => Losses.Ours(job.Kind, x, t, job.Threshold, job.Reduction, job.Weighted ? weight : null),
                input, target, job.Reduction == nn.Reduction.None ? upstream : null);
            return (HostValues.Of(result.Value), HostValues.Of(result.InputGradient), HostValues.Of(result.TargetGradient));
        }

        [Fact]
        public void Threads_with_different_thresholds_each_get_their_own_result()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 64, 4 }, ScalarType.Float64, 2.0, 1);
            var target = Inputs.Uniform(new long[] { 64, 4 }, ScalarType.Float64, 2.0, 2);
            var weight = Inputs.Uniform(new long[] { 4 }, ScalarType.Float64, 1.0, 3).abs();
            var upstream = Inputs.Uniform(new long[] { 64, 4 }, ScalarType.Float64, 1.0, 4);
            var expected = Jobs.Select(job => Compute(job, input, target, weight, upstream)).ToArray();
            // The jobs differ, so a result mixed up between threads cannot pass.
            Assert.Equal(Jobs.Length, expected.Select(e => string.Join(",", e.InputGradient)).Distinct().Count());

            using var start = new Barrier(Jobs.Length);
            var failures = new string?[Jobs.Length];
            var threads = Jobs.Select((job, j) => new Thread(() =>
            {
                start.SignalAndWait();
                for (int iteration = 0; iteration < 300 && failures[j] is null; iteration++)
                {
                    try
                    {
                        var actual = Compute(job, input, target, weight, upstream);
                        if (!actual.Value.SequenceEqual(expected[j].Value) || !actual.InputGradient.SequenceEqual(expected[j].InputGradient)
                            || !actual.TargetGradient.SequenceEqual(expected[j].TargetGradient))
                            failures[j] = $"{job} differed at iteration {iteration}";
                    }
                    catch (Exception error)
                    {
                        failures[j] = $"{job} threw at iteration {iteration}: {error}";
                    }
                }
            })).ToArray();
            foreach (var thread in threads)
                thread.Start();
            foreach (var thread in threads)
                thread.Join();
            Assert.All(failures, Assert.Null);
        }
    }
}
