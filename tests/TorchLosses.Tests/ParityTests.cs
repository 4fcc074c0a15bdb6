using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// Values and both gradients against libtorch's fused kernels over thresholds × reductions × dtypes × layouts
    /// (0-d, empty, 1-D…4-D, transposed, strided, broadcast both ways, 12,288 elements). Bit for bit wherever
    /// <see cref="ParityBounds"/> says 0 (Float32/Float64 Huber values, Smooth L1 at β a power of two, ...), within the measured ulp
    /// bound elsewhere. Set PARITY_LOG to a file path to append every measured difference to it (the source of docs/parity.md).
    /// </summary>
    public class ParityTests(ITestOutputHelper output)
    {
        public static readonly ScalarType[] FloatingTypes =
            { ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float32, ScalarType.Float64 };

        public static readonly nn.Reduction[] Reductions = { nn.Reduction.None, nn.Reduction.Mean, nn.Reduction.Sum };

        public static IEnumerable<object[]> Cases() =>
            from threshold in new (LossKind Kind, double Value)[]
            {
                (LossKind.Huber, 1.0), (LossKind.Huber, 0.3), (LossKind.Huber, 1.0 / 9),
                (LossKind.SmoothL1, 1.0), (LossKind.SmoothL1, 0.5), (LossKind.SmoothL1, 0.3), (LossKind.SmoothL1, 1.0 / 9),
            }
            from reduction in Reductions
            from dtype in FloatingTypes
            from shape in ShapeCase.All
            select new object[] { threshold.Kind, threshold.Value, reduction, dtype, shape };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Value_and_both_gradients_match_libtorch(LossKind kind, double threshold, nn.Reduction reduction, ScalarType dtype, string shape)
        {
            using var scope = NewDisposeScope();
            var (ours, reference) = Run(kind, threshold, reduction, dtype, shape, seed: 7);
            var value = Difference.Between(ours.Value, reference.Value);
            var inputGradient = Difference.Between(ours.InputGradient, reference.InputGradient);
            var targetGradient = Difference.Between(ours.TargetGradient, reference.TargetGradient);
            output.WriteLine($"value {value}; input gradient {inputGradient}; target gradient {targetGradient}");
            if (System.Environment.GetEnvironmentVariable("PARITY_LOG") is string log)
                System.IO.File.AppendAllText(log, $"{kind}\t{threshold}\t{reduction}\t{dtype}\t{shape}\t{value}\t{inputGradient}\t{targetGradient}\n");

            bool broadcast = shape.StartsWith("broadcast");
            AssertWithin(value, ParityBounds.AllowedUlps(kind, threshold, dtype, broadcast, ParityQuantity.Value), "value");
            var gradientBound = ParityBounds.AllowedUlps(kind, threshold, dtype, broadcast, ParityQuantity.Gradient);
            AssertWithin(inputGradient, gradientBound, "input gradient");
            AssertWithin(targetGradient, gradientBound, "target gradient");
        }

        /// <summary>The cases where input and target have one shape (broadcast gradients are summed to different shapes).</summary>
        public static IEnumerable<object[]> SameShapeCases() => Cases().Where(row => !((string)row[4]).StartsWith("broadcast"));

        [Theory]
        [MemberData(nameof(SameShapeCases))]
        public void Target_gradient_is_minus_input_gradient(LossKind kind, double threshold, nn.Reduction reduction, ScalarType dtype, string shape)
        {
            using var scope = NewDisposeScope();
            var (ours, _) = Run(kind, threshold, reduction, dtype, shape, seed: 11);
            Assert.True(Difference.Between(ours.TargetGradient, ours.InputGradient.neg()).Bitwise);
        }

        public static IEnumerable<object[]> UpstreamCases() =>
            from threshold in new (LossKind Kind, double Value)[] { (LossKind.Huber, 1.0), (LossKind.Huber, 0.3), (LossKind.SmoothL1, 1.0), (LossKind.SmoothL1, 0.5) }
            from reduction in new[] { nn.Reduction.Mean, nn.Reduction.Sum }
            from dtype in new[] { ScalarType.Float32, ScalarType.Float64 }
            from upstream in new[] { 0.37, -3.0, 0.25 }
            select new object[] { threshold.Kind, threshold.Value, reduction, dtype, upstream };

        /// <summary>
        /// A reduced loss that is not the last op (scaled, summed with other losses) gets an upstream gradient other than 1.
        /// On the CPU in float32/float64 libtorch's autograd records our ops, so the gradient is (g/N)·c; elsewhere the
        /// custom function computes (g·(1/N))·c; libtorch multiplies (1/N)·x·g. Measured: at most 2 ulp apart (float64, g = 0.37),
        /// bitwise for Sum or when g is a power of two.
        /// </summary>
        [Theory]
        [MemberData(nameof(UpstreamCases))]
        public void Gradients_with_an_upstream_gradient_other_than_one(LossKind kind, double threshold, nn.Reduction reduction, ScalarType dtype, double upstreamValue)
        {
            using var scope = NewDisposeScope();
            var (input, target) = ShapeCase.Create("large", dtype, threshold, 13);
            var upstream = tensor(upstreamValue, dtype);
            var ours = Evaluation.Of((x, t) => Losses.Ours(kind, x, t, threshold, reduction), input, target, upstream);
            var reference = Evaluation.Of((x, t) => Losses.Libtorch(kind, x, t, threshold, reduction), input, target, upstream);
            var inputGradient = Difference.Between(ours.InputGradient, reference.InputGradient);
            output.WriteLine($"input gradient {inputGradient}");
            if (System.Environment.GetEnvironmentVariable("PARITY_LOG") is string log)
                System.IO.File.AppendAllText(log, $"upstream {upstreamValue}\t{kind}\t{threshold}\t{reduction}\t{dtype}\t{inputGradient}\n");
            long allowed = ParityBounds.AllowedUlps(kind, threshold, dtype, broadcast: false, ParityQuantity.Gradient);
            AssertWithin(inputGradient, System.Math.Max(allowed, 2), "input gradient");
        }

        private static void AssertWithin(Difference difference, long allowedUlps, string what)
        {
            if (allowedUlps == 0)
                Assert.True(difference.Bitwise, $"{what} should be bitwise libtorch: {difference}");
            else
                Assert.True(difference.MaxUlps <= allowedUlps, $"{what} should be within {allowedUlps} ulp of libtorch: {difference}");
        }

        /// <summary>
        /// Runs our loss and libtorch's on the same leaves. Reduction None gets a non-trivial upstream gradient of the loss's
        /// shape; Mean and Sum get the implicit 1 of <c>loss.backward()</c>.
        /// </summary>
        internal static (Evaluation Ours, Evaluation Reference) Run(
            LossKind kind, double threshold, nn.Reduction reduction, ScalarType dtype, string shape, int seed)
        {
            var (input, target) = ShapeCase.Create(shape, dtype, threshold, seed);
            Tensor? upstream = null;
            if (reduction == nn.Reduction.None)
            {
                var lossShape = broadcast_tensors(input, target)[0].shape;
                upstream = Inputs.Uniform(lossShape, dtype, 1.0, seed + 1000);
            }
            var ours = Evaluation.Of((x, t) => Losses.Ours(kind, x, t, threshold, reduction), input, target, upstream);
            var reference = Evaluation.Of((x, t) => Losses.Libtorch(kind, x, t, threshold, reduction), input, target, upstream);
            return (ours, reference);
        }
    }
}
