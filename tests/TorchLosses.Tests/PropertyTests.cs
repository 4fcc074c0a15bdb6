using System;
using System.Linq;
using CsCheck;
using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>Algebraic properties of both losses, on random Float64 data generated (and shrunk on failure) by CsCheck.</summary>
    public class PropertyTests
    {
        private const long Iterations = 300;

        private static readonly Gen<double[]> Values = Gen.Double[-50, 50].Array[1, 40];
        private static readonly Gen<double> Threshold = Gen.Double[1e-3, 20];

        private static double[] Loss(LossKind kind, double[] input, double[] target, double threshold, Tensor? weight = null)
        {
            using var scope = NewDisposeScope();
            return HostValues.Of(Losses.Ours(kind, Inputs.Of(ScalarType.Float64, input), Inputs.Of(ScalarType.Float64, target),
                threshold, nn.Reduction.None, weight));
        }

        [Fact]
        public void Huber_is_delta_times_smooth_l1_with_beta_delta()
        {
            Gen.Select(Values, Threshold).Sample((x, delta) =>
            {
                var zeros = new double[x.Length];
                var huber = Loss(LossKind.Huber, x, zeros, delta);
                var smoothL1 = Loss(LossKind.SmoothL1, x, zeros, delta);
                for (int i = 0; i < x.Length; i++)
                {
                    double scaled = delta * smoothL1[i];
                    // A few roundings apart: relative 4 ulps of Float64.
                    if (Math.Abs(huber[i] - scaled) > 4 * Math.Pow(2, -52) * Math.Abs(huber[i]))
                        return false;
                }
                return true;
            }, iter: Iterations, threads: 1);
        }

        [Theory]
        [InlineData(LossKind.Huber)]
        [InlineData(LossKind.SmoothL1)]
        public void Loss_is_non_negative(LossKind kind)
        {
            Gen.Select(Values, Values, Threshold).Sample((input, target, threshold) =>
            {
                int n = Math.Min(input.Length, target.Length);
                return Loss(kind, input[..n], target[..n], threshold).All(value => value >= 0);
            }, iter: Iterations, threads: 1);
        }

        [Theory]
        [InlineData(LossKind.Huber)]
        [InlineData(LossKind.SmoothL1)]
        public void Swapping_input_and_target_gives_the_same_loss(LossKind kind)
        {
            Gen.Select(Values, Values, Threshold).Sample((input, target, threshold) =>
            {
                int n = Math.Min(input.Length, target.Length);
                return Loss(kind, input[..n], target[..n], threshold).SequenceEqual(Loss(kind, target[..n], input[..n], threshold));
            }, iter: Iterations, threads: 1);
        }

        [Theory]
        [InlineData(LossKind.Huber)]
        [InlineData(LossKind.SmoothL1)]
        public void Loss_does_not_decrease_as_the_error_grows(LossKind kind)
        {
            Gen.Select(Values, Threshold).Sample((x, threshold) =>
            {
                // Errors sorted by magnitude, half of them negative: the loss must be sorted too.
                var errors = x.Select(Math.Abs).OrderBy(v => v).Select((v, i) => i % 2 == 0 ? v : -v).ToArray();
                var loss = Loss(kind, errors, new double[errors.Length], threshold);
                for (int i = 1; i < loss.Length; i++)
                    if (loss[i] < loss[i - 1])
                        return false;
                return true;
            }, iter: Iterations, threads: 1);
        }

        [Theory]
        [InlineData(LossKind.Huber)]
        [InlineData(LossKind.SmoothL1)]
        public void Weight_one_changes_nothing(LossKind kind)
        {
            Gen.Select(Values, Values, Threshold).Sample((input, target, threshold) =>
            {
                int n = Math.Min(input.Length, target.Length);
                using var ones = torch.ones(n, ScalarType.Float64);
                return Loss(kind, input[..n], target[..n], threshold, ones).SequenceEqual(Loss(kind, input[..n], target[..n], threshold));
            }, iter: Iterations, threads: 1);
        }
    }
}
