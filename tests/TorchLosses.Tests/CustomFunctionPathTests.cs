using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// On the CPU in float32/float64 the public functions let libtorch's autograd record the composed ops; on CUDA (and for
    /// half types) they go through the custom autograd function <see cref="RobustLossFunction"/>. Without a GPU here, these
    /// tests drive the custom function directly on float64 CPU tensors, through the same checks the public entry uses, and
    /// compare it with the public path, which the parity tests tie to libtorch: the analytic backward (weights, broadcast
    /// sums, normaliser, target-only gradients, per-coordinate thresholds) is then proven on the code CUDA users run.
    /// </summary>
    public class CustomFunctionPathTests(ITestOutputHelper output)
    {
        public static IEnumerable<object[]> Cases() =>
            from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
            from threshold in new[] { 0.0, 1.0 / 9, 1.0 }
            where !(kind == LossKind.Huber && threshold == 0)
            from reduction in ParityTests.Reductions
            from variant in new[] { "plain", "weight", "weight-grad", "normalizer", "target-only", "broadcast", "tensor-threshold" }
            where !(variant == "normalizer" && reduction != nn.Reduction.Mean)
            select new object[] { kind, threshold, reduction, variant };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Custom_function_matches_the_public_path(LossKind kind, double threshold, nn.Reduction reduction, string variant)
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float64, 2.5 * (threshold == 0 ? 1 : threshold), 21);
            var target = Inputs.Uniform(variant == "broadcast" ? new long[] { 1, 4 } : new long[] { 8, 4 }, ScalarType.Float64, 1.0, 22);
            Tensor? weight = variant.StartsWith("weight") ? Inputs.Uniform(new long[] { 4 }, ScalarType.Float64, 1.0, 23).abs() : null;
            Tensor? thresholds = variant == "tensor-threshold"
                ? tensor(new[] { threshold, 2 * threshold + 0.25, 0.5, threshold }, ScalarType.Float64)
                : null;
            double? normalizer = variant == "normalizer" ? 5.0 : null;
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float64, 1.0, 24) : null;

            // The leaves that get gradients: input and target, only target ("target-only"), or also the weight ("weight-grad").
            var leaves = variant == "target-only" ? new List<Tensor> { target } : new List<Tensor> { input, target };
            if (variant == "weight-grad") leaves.Add(weight!);
            (Tensor Input, Tensor Target, Tensor? Weight) Arguments(Tensor[] l) => variant switch
            {
                "target-only" => (input, l[0], weight),
                "weight-grad" => (l[0], l[1], l[2]),
                _ => (l[0], l[1], weight),
            };

            var viaPublic = Gradients.Of(l =>
            {
                var (i, t, w) = Arguments(l);
                return Public(kind, i, t, threshold, thresholds, reduction, w, normalizer);
            }, leaves.ToArray(), upstream);
            var viaFunction = Gradients.Of(l =>
            {
                var (i, t, w) = Arguments(l);
                return CustomFunction(kind, i, t, threshold, thresholds, reduction, w, normalizer);
            }, leaves.ToArray(), upstream);

            var value = Difference.Between(viaFunction.Value, viaPublic.Value);
            output.WriteLine($"value {value}");
            Assert.True(value.Bitwise, $"value: {value}");
            for (int i = 0; i < leaves.Count; i++)
            {
                var gradient = Difference.Between(viaFunction.OfLeaves[i], viaPublic.OfLeaves[i]);
                output.WriteLine($"gradient {i}: {gradient}");
                // Same factors, rounded in another order ((g·(1/N))·c against (g/N)·c): measured at most a few ulps in float64.
                Assert.True(gradient.MaxUlps <= 4, $"gradient of leaf {i}: {gradient}");
            }
        }

        private static Tensor Public(LossKind kind, Tensor input, Tensor target, double threshold, Tensor? thresholds,
            nn.Reduction reduction, Tensor? weight, double? normalizer) => (kind, thresholds) switch
            {
                (LossKind.Huber, null) => functional.huber_loss(input, target, threshold, reduction, weight, normalizer),
                (LossKind.Huber, _) => functional.huber_loss(input, target, thresholds, reduction, weight, normalizer),
                (_, null) => functional.smooth_l1_loss(input, target, reduction, threshold, weight, normalizer),
                _ => functional.smooth_l1_loss(input, target, thresholds, reduction, weight, normalizer),
            };

        /// <summary>What <c>RobustLoss.Compute</c> does on CUDA: the same checks, then the custom autograd function.</summary>
        private static Tensor CustomFunction(LossKind kind, Tensor input, Tensor target, double threshold, Tensor? thresholds,
            nn.Reduction reduction, Tensor? weight, double? normalizer)
        {
            var lossKind = kind == LossKind.Huber ? RobustLossKind.Huber : RobustLossKind.SmoothL1;
            var shapes = ArgumentChecks.Tensors(input, target, weight);
            var call = new RobustLossCall(lossKind, thresholds is null ? threshold : double.NaN, reduction, normalizer, shapes,
                InputRequiresGrad: input.requires_grad, TargetRequiresGrad: target.requires_grad,
                WeightRequiresGrad: weight is not null && weight.requires_grad);
            var checkedThresholds = thresholds is null ? null : ThresholdValues.Checked(thresholds, "threshold", lossKind, input);
            return RobustLossFunction.apply(input, target, weight, checkedThresholds, call);
        }
    }
}
