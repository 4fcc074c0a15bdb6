using System;
using System.Collections.Concurrent;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// Different input and target sizes raise PyTorch's broadcast warning, word for word, through <see cref="LossWarnings.Warning"/>.
    /// The event is static and tests run in parallel, so each test uses shapes no other test uses and filters by them.
    /// </summary>
    public class BroadcastWarningTests
    {
        private static ConcurrentQueue<string> Capture(Action action, string shapeMarker)
        {
            var seen = new ConcurrentQueue<string>();
            void Handler(string message)
            {
                if (message.Contains(shapeMarker))
                    seen.Enqueue(message);
            }
            LossWarnings.Warning += Handler;
            try
            {
                action();
            }
            finally
            {
                LossWarnings.Warning -= Handler;
            }
            return seen;
        }

        [Theory]
        [InlineData(LossKind.Huber)]
        [InlineData(LossKind.SmoothL1)]
        public void Different_sizes_give_pytorchs_exact_text(LossKind kind)
        {
            using var scope = NewDisposeScope();
            long unique = kind == LossKind.Huber ? 17 : 19;
            var input = Inputs.Uniform(new long[] { 23, unique }, ScalarType.Float32, 1.0, 1);
            var target = Inputs.Uniform(new long[] { unique }, ScalarType.Float32, 1.0, 2);
            var warnings = Capture(() => Losses.Ours(kind, input, target, 1.0, nn.Reduction.Mean), $"torch.Size([23, {unique}])");
            var message = Assert.Single(warnings);
            Assert.Equal(
                $"Using a target size (torch.Size([{unique}])) that is different to the input size (torch.Size([23, {unique}])). " +
                "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
                message);
        }

        [Fact]
        public void Zero_dimensional_target_is_formatted_as_an_empty_size()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 29, 2 }, ScalarType.Float64, 1.0, 1);
            var target = Inputs.Uniform(Array.Empty<long>(), ScalarType.Float64, 1.0, 2);
            var warnings = Capture(() => functional.smooth_l1_loss(input, target), "torch.Size([29, 2])");
            Assert.StartsWith("Using a target size (torch.Size([])) that is different to the input size (torch.Size([29, 2])).", Assert.Single(warnings));
        }

        [Fact]
        public void Same_sizes_raise_nothing()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 31, 3 }, ScalarType.Float32, 1.0, 1);
            var target = Inputs.Uniform(new long[] { 31, 3 }, ScalarType.Float32, 1.0, 2);
            var warnings = Capture(() =>
            {
                functional.huber_loss(input, target);
                functional.smooth_l1_loss(input, target, nn.Reduction.None);
            }, "[31, 3]");
            Assert.Empty(warnings);
        }

        [Fact]
        public void Module_call_warns_too()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 37, 1 }, ScalarType.Float32, 1.0, 1);
            var target = Inputs.Uniform(new long[] { 37, 5 }, ScalarType.Float32, 1.0, 2);
            using var module = new HuberLoss(0.5);
            var warnings = Capture(() => module.call(input, target), "torch.Size([37, 1])");
            Assert.Contains("torch.Size([37, 5])", Assert.Single(warnings));
        }
    }
}
