using System;
using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>CUDA behaviour. These need a GPU and a CUDA build of libtorch; elsewhere they are skipped.</summary>
    [Trait("Category", "CUDA")]
    public class CudaTests
    {
        private static Device Cuda()
        {
            Skip.IfNot(cuda.is_available(), "CUDA is not available");
            return CUDA;
        }

        [SkippableTheory]
        [InlineData(LossKind.Huber, 1.0)]
        [InlineData(LossKind.Huber, 0.3)]
        [InlineData(LossKind.SmoothL1, 1.0)]
        [InlineData(LossKind.SmoothL1, 0.5)]
        public void Values_and_gradients_match_libtorch_on_cuda(LossKind kind, double threshold)
        {
            var device = Cuda();
            using var scope = NewDisposeScope();
            foreach (var reduction in ParityTests.Reductions)
            {
                var input = Inputs.Uniform(new long[] { 64, 4 }, ScalarType.Float32, threshold, 1).to(device);
                var target = Inputs.Uniform(new long[] { 64, 4 }, ScalarType.Float32, threshold, 2).to(device);
                var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(new long[] { 64, 4 }, ScalarType.Float32, 1.0, 3).to(device) : null;
                var ours = Evaluation.Of((x, t) => Losses.Ours(kind, x, t, threshold, reduction), input, target, upstream);
                var reference = Evaluation.Of((x, t) => Losses.Libtorch(kind, x, t, threshold, reduction), input, target, upstream);
                // CUDA kernels may fuse multiply-adds and reduce in another order: a few ulps, not bitwise.
                Assert.True(Difference.Between(ours.Value, reference.Value).MaxUlps <= 4, $"{reduction} value");
                Assert.True(Difference.Between(ours.InputGradient, reference.InputGradient).MaxUlps <= 4, $"{reduction} input gradient");
                Assert.True(Difference.Between(ours.TargetGradient, reference.TargetGradient).MaxUlps <= 4, $"{reduction} target gradient");
            }
        }

        [SkippableFact]
        public void Every_result_and_gradient_is_on_the_inputs_device()
        {
            var device = Cuda();
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 16, 4 }, ScalarType.Float32, 1.0, 1).to(device).requires_grad_(true);
            var target = Inputs.Uniform(new long[] { 16, 4 }, ScalarType.Float32, 1.0, 2).to(device).requires_grad_(true);
            var weight = Inputs.Uniform(new long[] { 4 }, ScalarType.Float32, 1.0, 3).to(device).requires_grad_(true);
            var betas = Inputs.Of(ScalarType.Float32, 0.5, 0.0, 1.0, 2.0).to(device);
            foreach (var reduction in ParityTests.Reductions)
            {
                var loss = functional.smooth_l1_loss(input, target, betas, reduction, weight);
                Assert.Equal(DeviceType.CUDA, loss.device_type);
                loss.sum().backward();
            }
            Assert.Equal(DeviceType.CUDA, input.grad!.device_type);
            Assert.Equal(DeviceType.CUDA, target.grad!.device_type);
            Assert.Equal(DeviceType.CUDA, weight.grad!.device_type);
        }

        [SkippableFact]
        public void Mismatched_devices_throw_naming_both_devices()
        {
            var device = Cuda();
            using var scope = NewDisposeScope();
            var onGpu = Inputs.Uniform(new long[] { 3 }, ScalarType.Float32, 1.0, 1).to(device);
            var onCpu = Inputs.Uniform(new long[] { 3 }, ScalarType.Float32, 1.0, 2);
            var error = Assert.Throws<ArgumentException>(() => functional.huber_loss(onGpu, onCpu));
            Assert.Equal("target", error.ParamName);
            Assert.Contains("cuda", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("cpu", error.Message, StringComparison.OrdinalIgnoreCase);
            var weightError = Assert.Throws<ArgumentException>(() => functional.huber_loss(onGpu, onGpu, weight: onCpu));
            Assert.Equal("weight", weightError.ParamName);
        }
    }
}
