using System;
using System.Linq;
using BoxRegression;
using TorchSharp;
using static TorchSharp.torch;

namespace BoxRegression.Tests
{
    /// <summary>Our affine_grid + grid_sample RoIAlign against a direct loop transcription of torchvision's roi_align kernel.</summary>
    public class RoiAlignTests
    {
        /// <summary>torchvision's CPU roi_align forward (aligned = true, fixed sampling ratio), one sample at a time.</summary>
        private static float[,,,] Reference(float[,,,] features, float[][] boxes, int[] batchIndex, double scale, int output, int ratio)
        {
            int channels = features.GetLength(1), height = features.GetLength(2), width = features.GetLength(3);
            var result = new float[boxes.Length, channels, output, output];
            for (int r = 0; r < boxes.Length; r++)
            {
                double x1 = boxes[r][0] * scale - 0.5, y1 = boxes[r][1] * scale - 0.5;
                double x2 = boxes[r][2] * scale - 0.5, y2 = boxes[r][3] * scale - 0.5;
                double binW = (x2 - x1) / output, binH = (y2 - y1) / output;
                for (int c = 0; c < channels; c++)
                for (int ph = 0; ph < output; ph++)
                for (int pw = 0; pw < output; pw++)
                {
                    double sum = 0;
                    for (int iy = 0; iy < ratio; iy++)
                    for (int ix = 0; ix < ratio; ix++)
                    {
                        double y = y1 + ph * binH + (iy + 0.5) * binH / ratio;
                        double x = x1 + pw * binW + (ix + 0.5) * binW / ratio;
                        sum += Bilinear(features, batchIndex[r], c, height, width, y, x);
                    }
                    result[r, c, ph, pw] = (float)(sum / (ratio * ratio));
                }
            }
            return result;
        }

        private static double Bilinear(float[,,,] f, int n, int c, int height, int width, double y, double x)
        {
            if (y < -1.0 || y > height || x < -1.0 || x > width) return 0;
            if (y <= 0) y = 0;
            if (x <= 0) x = 0;
            int yLow = (int)y, xLow = (int)x, yHigh, xHigh;
            if (yLow >= height - 1) { yHigh = yLow = height - 1; y = yLow; } else yHigh = yLow + 1;
            if (xLow >= width - 1) { xHigh = xLow = width - 1; x = xLow; } else xHigh = xLow + 1;
            double ly = y - yLow, lx = x - xLow, hy = 1 - ly, hx = 1 - lx;
            return hy * hx * f[n, c, yLow, xLow] + hy * lx * f[n, c, yLow, xHigh] + ly * hx * f[n, c, yHigh, xLow] + ly * lx * f[n, c, yHigh, xHigh];
        }

        [Theory]
        [InlineData(1.0, 1)]
        [InlineData(0.5, 2)]
        [InlineData(0.25, 3)]
        public void Matches_the_loop_reference(double scale, int seed)
        {
            const int batch = 2, channels = 3, height = 9, width = 11, output = 7, ratio = 2;
            var rng = new Random(seed);
            var values = new float[batch, channels, height, width];
            var flat = new float[batch * channels * height * width];
            for (int i = 0; i < flat.Length; i++) flat[i] = (float)rng.NextDouble();
            Buffer.BlockCopy(flat, 0, values, 0, flat.Length * sizeof(float));

            // Boxes inside the image (image = feature size / scale), some tiny, some covering almost everything.
            double imageW = width / scale, imageH = height / scale;
            var boxes = new float[10][];
            var batchIndex = new int[10];
            for (int r = 0; r < boxes.Length; r++)
            {
                double w = imageW * (0.05 + 0.9 * rng.NextDouble()), h = imageH * (0.05 + 0.9 * rng.NextDouble());
                double x1 = (imageW - w) * rng.NextDouble(), y1 = (imageH - h) * rng.NextDouble();
                boxes[r] = [(float)x1, (float)y1, (float)(x1 + w), (float)(y1 + h)];
                batchIndex[r] = r < 6 ? 0 : 1;   // 6 RoIs in image 0, 4 in image 1
            }

            using var features = tensor(flat, [batch, channels, height, width]);
            using var boxTensor = tensor(boxes.SelectMany(b => b).ToArray(), [boxes.Length, 4]);
            using var ours = RoiAlign.roi_align(features, boxTensor, [6, 4], scale, output, ratio);
            var expected = Reference(values, boxes, batchIndex, scale, output, ratio);

            Assert.Equal(new long[] { 10, channels, output, output }, ours.shape);
            var actual = ours.data<float>().ToArray();
            var wanted = new float[actual.Length];
            Buffer.BlockCopy(expected, 0, wanted, 0, wanted.Length * sizeof(float));
            for (int i = 0; i < actual.Length; i++) Assert.Equal(wanted[i], actual[i], 1e-4);
        }

        [Fact]
        public void A_horizontal_ramp_pools_to_the_bin_centres()
        {
            // f(y, x) = x is reproduced exactly by bilinear sampling, so each bin's mean is its centre's x (feature pixels, aligned).
            const int size = 16;
            var ramp = Enumerable.Range(0, size * size).Select(i => (float)(i % size)).ToArray();
            using var features = tensor(ramp, [1, 1, size, size]);
            using var box = tensor(new float[] { 2.5f, 3f, 12.5f, 10f }, [1, 4]);
            using var pooled = RoiAlign.roi_align(features, box, [1], spatialScale: 1.0, outputSize: 5, samplingRatio: 2);
            var values = pooled.data<float>().ToArray();
            for (int ph = 0; ph < 5; ph++)
            for (int pw = 0; pw < 5; pw++)
                Assert.Equal(2.5 + (pw + 0.5) * 2.0 - 0.5, values[ph * 5 + pw], 1e-4);
        }

        [Fact]
        public void Gradients_reach_the_features()
        {
            using var features = rand(1, 2, 8, 8).requires_grad_();
            using var box = tensor(new float[] { 1f, 1f, 6f, 7f }, [1, 4]);
            using var pooled = RoiAlign.roi_align(features, box, [1], 1.0);
            using var sum = pooled.sum();
            sum.backward();
            using var gradSum = features.grad!.sum();
            Assert.Equal(2 * 7 * 7, gradSum.item<float>(), 3);   // each output is an average of weights summing to 1
        }

        [Fact]
        public void Counts_that_do_not_add_up_are_rejected()
        {
            using var features = rand(2, 1, 8, 8);
            using var boxes = tensor(new float[] { 1f, 1f, 6f, 7f, 0f, 0f, 3f, 3f }, [2, 4]);
            Assert.Throws<ArgumentException>(() => RoiAlign.roi_align(features, boxes, [1, 2], 1.0));
        }
    }
}
