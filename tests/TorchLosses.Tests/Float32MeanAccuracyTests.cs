using System;
using TorchLosses.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// The Float32 mean is as accurate as libtorch's: |ours − exact| ≤ 2·|libtorch − exact| + a one-ulp floor, where "exact" is
    /// libtorch's kernel run in Float64 on the same (exactly widened) inputs. Up to 2^24 elements, where a naive float32
    /// running sum has long stopped adding small terms.
    /// </summary>
    public class Float32MeanAccuracyTests(ITestOutputHelper output)
    {
        [Theory]
        [InlineData(LossKind.Huber, 1.0, 1000)]
        [InlineData(LossKind.SmoothL1, 1.0 / 9, 1000)]
        [InlineData(LossKind.Huber, 0.3, 1_000_003)]
        [InlineData(LossKind.SmoothL1, 1.0 / 9, 1_000_003)]
        [InlineData(LossKind.Huber, 1.0, 16_777_216)]
        [InlineData(LossKind.SmoothL1, 1.0 / 9, 16_777_216)]
        public void Mean_error_is_at_most_twice_libtorchs(LossKind kind, double threshold, long size)
        {
            using var scope = NewDisposeScope();
            using var generator = new Generator(20261127);
            using var scale = 3.0.ToScalar();
            // input − target spans both zones: uniform on (−3, 3) against a threshold of 1/9 … 1.
            var input = rand(size, ScalarType.Float32, generator: generator).mul_(scale);
            var target = rand(size, ScalarType.Float32, generator: generator).mul_(scale);

            double ours = HostValues.Scalar(Losses.Ours(kind, input, target, threshold, nn.Reduction.Mean));
            double libtorch = HostValues.Scalar(Losses.Libtorch(kind, input, target, threshold, nn.Reduction.Mean));
            double exact = HostValues.Scalar(Losses.Libtorch(kind, input.to(ScalarType.Float64), target.to(ScalarType.Float64), threshold, nn.Reduction.Mean));

            double ourError = Math.Abs(ours - exact), libtorchError = Math.Abs(libtorch - exact);
            double floor = Math.Abs(exact) * Math.Pow(2, -23);
            output.WriteLine($"n = {size}: |ours − exact| = {ourError:G3} ({ourError / Math.Abs(exact):G3} relative), |libtorch − exact| = {libtorchError:G3}, ours == libtorch: {ours == libtorch}");
            Assert.True(ourError <= 2 * libtorchError + floor,
                $"ours {ours:R} is {ourError:G3} from the Float64 value {exact:R}; libtorch {libtorch:R} is {libtorchError:G3} from it");
        }
    }
}
