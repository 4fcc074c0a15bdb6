using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// Beyond the threshold the gradient is exactly ±1 (Smooth L1) or ±δ (Huber) times the upstream gradient, for any
    /// threshold, as libtorch's backward returns it: no rounding of c/β may leak into the linear zone.
    /// </summary>
    public class LinearZoneGradientTests
    {
        private static readonly double[] Thresholds = { 0.3, 1.0 / 9, 0.1, 0.7, 1.0 / 3, 0.15, 2.2, 1e-3, 37.0, 1.0 / 7 };

        public static IEnumerable<object[]> Cases() =>
            from dtype in ParityTests.FloatingTypes
            from threshold in Thresholds
            select new object[] { dtype, threshold };

        private static (Tensor Input, Tensor Target) BeyondThreshold(ScalarType dtype, double threshold)
        {
            // x = ±τ·k for k ≥ 1 (the kink itself included); rounding k·τ to the dtype cannot bring it below τ.
            var multiples = new[] { 1.0, 1.5, 3.0, 100.0, -1.0, -2.5, -40.0 };
            var tau = Inputs.Representable(threshold, dtype);
            return (Inputs.Of(dtype, multiples.Select(k => k * tau).ToArray()), zeros(multiples.Length, dtype));
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Smooth_l1_gradient_is_exactly_plus_or_minus_one(ScalarType dtype, double threshold)
        {
            using var scope = NewDisposeScope();
            var (input, target) = BeyondThreshold(dtype, threshold);
            double beta = Inputs.Representable(threshold, dtype);
            var ours = Evaluation.Of((x, t) => functional.smooth_l1_loss(x, t, nn.Reduction.Sum, beta), input, target);
            var expected = HostValues.Of(input).Select(x => (double)System.Math.Sign(x));
            Assert.Equal(expected, HostValues.Of(ours.InputGradient));
            var reference = Evaluation.Of((x, t) => nn.functional.smooth_l1_loss(x, t, nn.Reduction.Sum, beta), input, target);
            Assert.True(Difference.Between(ours.InputGradient, reference.InputGradient).Bitwise);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Huber_gradient_is_exactly_plus_or_minus_delta(ScalarType dtype, double threshold)
        {
            using var scope = NewDisposeScope();
            var (input, target) = BeyondThreshold(dtype, threshold);
            double delta = Inputs.Representable(threshold, dtype);
            var ours = Evaluation.Of((x, t) => functional.huber_loss(x, t, delta, nn.Reduction.Sum), input, target);
            var expected = HostValues.Of(input).Select(x => System.Math.Sign(x) * delta);
            Assert.Equal(expected, HostValues.Of(ours.InputGradient));
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Smooth_l1_tensor_beta_gradient_is_exactly_plus_or_minus_one(ScalarType dtype, double threshold)
        {
            using var scope = NewDisposeScope();
            var (input, target) = BeyondThreshold(dtype, threshold);
            using var betaValue = Inputs.Representable(threshold, dtype).ToScalar();
            var beta = full(input.shape, betaValue, dtype);
            var ours = Evaluation.Of((x, t) => functional.smooth_l1_loss(x, t, beta, nn.Reduction.Sum), input, target);
            Assert.Equal(HostValues.Of(input).Select(x => (double)System.Math.Sign(x)), HostValues.Of(ours.InputGradient));
        }
    }
}
