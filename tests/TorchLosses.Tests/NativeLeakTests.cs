using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// A training loop (tiny linear model, our loss, SGD) with each step in a dispose scope leaves no native tensor behind:
    /// the thread's live tensor count after 300 steps is what it was after 50.
    /// </summary>
    public class NativeLeakTests
    {
        /// <param name="weightedWithTensorBeta">Weighted Sum with per-coordinate β: the composed ops.</param>
        /// <param name="rows">32 rows, or 16,384 (65,536 elements: several SIMD ranges when libtorch has several threads).</param>
        [Theory]
        [InlineData(false, 32)]
        [InlineData(true, 32)]
        [InlineData(false, 16_384)]
        public void Live_tensor_count_does_not_grow_with_training_steps(bool weightedWithTensorBeta, int rows)
        {
            using var outer = NewDisposeScope();
            using var model = nn.Linear(4, 4, dtype: ScalarType.Float32);
            using var optimizer = optim.SGD(model.parameters(), 0.01);
            using var loss = new SmoothL1Loss(nn.Reduction.Mean, beta: 1.0 / 9);
            var features = Inputs.Uniform(new long[] { rows, 4 }, ScalarType.Float32, 1.0, 1);
            var targets = Inputs.Uniform(new long[] { rows, 4 }, ScalarType.Float32, 1.0, 2);
            var weight = Inputs.Uniform(new long[] { 4 }, ScalarType.Float32, 1.0, 3).abs();
            var betas = Inputs.Of(ScalarType.Float32, 0.5, 0.0, 1.0 / 9, 1.0);

            long liveAfter50 = 0;
            for (int step = 1; step <= 300; step++)
            {
                using (NewDisposeScope())
                {
                    optimizer.zero_grad();
                    var prediction = model.call(features);
                    var value = weightedWithTensorBeta
                        ? functional.smooth_l1_loss(prediction, targets, betas, nn.Reduction.Sum, weight)
                        : loss.call(prediction, targets);
                    value.backward();
                    optimizer.step();
                }
                if (step == 50)
                    liveAfter50 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            }
            long liveAfter300 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            Assert.Equal(liveAfter50, liveAfter300);
        }
    }
}
