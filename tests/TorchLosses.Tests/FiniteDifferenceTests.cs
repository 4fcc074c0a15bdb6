using System;
using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// The analytic gradients of input, target and weight agree with central finite differences in Float64, for both losses,
    /// with a weight and with per-coordinate thresholds (Smooth L1's including a β = 0 column). Elements within 10⁻³ of a kink
    /// are skipped: there the loss is not twice differentiable and the difference quotient straddles two branches.
    /// </summary>
    public class FiniteDifferenceTests
    {
        private const double Step = 1e-6;
        private static readonly long[] Shape = { 5, 4 };

        public static IEnumerable<object[]> Cases() =>
            from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
            from reduction in ParityTests.Reductions
            from thresholdTensor in new[] { false, true }
            from weighted in new[] { false, true }
            select new object[] { kind, reduction, thresholdTensor, weighted };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Analytic_gradients_match_central_differences(LossKind kind, nn.Reduction reduction, bool thresholdTensor, bool weighted)
        {
            using var scope = NewDisposeScope();
            var thresholds = kind == LossKind.Huber ? new[] { 0.7, 1.3, 0.2, 2.0 } : new[] { 0.7, 0.0, 1.0 / 9, 2.0 };
            if (!thresholdTensor)
                thresholds = Enumerable.Repeat(thresholds[0], 4).ToArray();
            var leaves = new[]
            {
                Inputs.Uniform(Shape, ScalarType.Float64, 1.0, 21),
                Inputs.Uniform(Shape, ScalarType.Float64, 1.0, 22),
                Inputs.Uniform(new long[] { 4 }, ScalarType.Float64, 1.0, 23).abs(),
            }.Take(weighted ? 3 : 2).ToArray();
            var upstream = Inputs.Uniform(Shape, ScalarType.Float64, 1.0, 24);
            var thresholdValues = Inputs.Of(ScalarType.Float64, thresholds);

            // A scalar function of (input, target, weight): for reduction None, the loss dotted with a fixed upstream vector.
            Tensor Function(Tensor[] l)
            {
                var weight = weighted ? l[2] : null;
                var loss = thresholdTensor
                    ? Losses.Ours(kind, l[0], l[1], thresholdValues, reduction, weight)
                    : Losses.Ours(kind, l[0], l[1], thresholds[0], reduction, weight);
                return reduction == nn.Reduction.None ? loss.mul(upstream).sum() : loss;
            }

            var analytic = Gradients.Of(Function, leaves);
            var difference = HostValues.Of(leaves[0].sub(leaves[1]));
            bool NearKink(int element)
            {
                double x = Math.Abs(difference[element]), tau = thresholds[element % 4];
                return Math.Abs(x - tau) < 1e-3 || (tau == 0 && x < 1e-3);
            }

            int checkedCount = 0;
            for (int leaf = 0; leaf < leaves.Length; leaf++)
            {
                var values = HostValues.Of(leaves[leaf]);
                var gradient = HostValues.Of(analytic.OfLeaves[leaf]);
                for (int i = 0; i < values.Length; i++)
                {
                    if (leaf < 2 && NearKink(i))
                        continue;
                    double Evaluate(double shifted)
                    {
                        using var inner = NewDisposeScope();
                        var copy = (double[])values.Clone();
                        copy[i] = shifted;
                        var perturbed = (Tensor[])leaves.Clone();
                        perturbed[leaf] = Inputs.Of(copy, leaves[leaf].shape, ScalarType.Float64);
                        using var noGrad = no_grad();
                        return HostValues.Scalar(Function(perturbed));
                    }
                    double numeric = (Evaluate(values[i] + Step) - Evaluate(values[i] - Step)) / (2 * Step);
                    Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-7 + 1e-6 * Math.Abs(numeric),
                        $"leaf {leaf}, element {i}: analytic {gradient[i]:R}, central difference {numeric:R}");
                    checkedCount++;
                }
            }
            Assert.True(checkedCount >= 30, $"only {checkedCount} elements were away from a kink");
        }
    }
}
