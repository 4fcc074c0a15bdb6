using System;
using System.Linq;
using BoxRegression;
using TorchSharp;
using static TorchSharp.torch;

namespace BoxRegression.Tests
{
    /// <summary>Our explicit-Scalar box arithmetic against TorchVision's box_iou / box_convert, and our Adam against optim.Adam.</summary>
    public class BoxOpsTests
    {
        private static Tensor RandomBoxes(Random rng, int count) => tensor(Enumerable.Range(0, count).SelectMany(_ =>
        {
            float x = (float)(50 * rng.NextDouble()), y = (float)(50 * rng.NextDouble());
            return new[] { x, y, x + 1 + (float)(20 * rng.NextDouble()), y + 1 + (float)(20 * rng.NextDouble()) };
        }).ToArray(), [count, 4]);

        [Fact]
        public void Box_iou_matches_torchvision()
        {
            var rng = new Random(8);
            using var a = RandomBoxes(rng, 30);
            using var b = RandomBoxes(rng, 20);
            using var ours = BoxOps.box_iou(a, b);
            using var theirs = torchvision.ops.box_iou(a, b);
            Assert.Equal(theirs.shape, ours.shape);
            Assert.True(ours.allclose(theirs, rtol: 1e-5, atol: 1e-6));
            using var zero = 0.0.ToScalar();
            Assert.True(ours.gt(zero).any().item<bool>());   // the boxes do overlap somewhere: the test can fail
            using var paired = BoxOps.paired_iou(a.narrow(0, 0, 20), b);
            Assert.True(paired.allclose(theirs.narrow(0, 0, 20).diagonal(), rtol: 1e-5, atol: 1e-6));
        }

        [Fact]
        public void Center_size_matches_torchvision_box_convert()
        {
            using var boxes = RandomBoxes(new Random(3), 25);
            var (cx, cy, w, h) = BoxOps.CenterSize(boxes);
            using var ours = stack([cx, cy, w, h], 1);
            using var theirs = torchvision.ops.box_convert(boxes, torchvision.ops.BoxFormats.xyxy, torchvision.ops.BoxFormats.cxcywh);
            Assert.True(ours.allclose(theirs, rtol: 1e-6, atol: 1e-5));
        }

        [Fact]
        public void Explicit_scalar_Adam_matches_TorchSharp_Adam()
        {
            torch.manual_seed(1);
            using var a = nn.Linear(5, 3);
            using var b = nn.Linear(5, 3);
            b.load_state_dict(a.state_dict());
            using var input = randn(16, 5);
            using var ours = new ExplicitScalarAdam(a.parameters(), 0.01);
            using var theirs = optim.Adam(b.parameters(), 0.01);
            for (int step = 0; step < 5; step++)
            {
                ours.zero_grad();
                a.call(input).square().sum().backward();
                ours.Step();
                theirs.zero_grad();
                b.call(input).square().sum().backward();
                theirs.step();
            }
            Assert.True(a.weight!.allclose(b.weight!, rtol: 1e-5, atol: 1e-6));
            Assert.True(a.bias!.allclose(b.bias!, rtol: 1e-5, atol: 1e-6));
            Assert.False(a.weight!.allclose(randn(3, 5)));
        }
    }
}
