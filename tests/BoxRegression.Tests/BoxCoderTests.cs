using System;
using System.Linq;
using BoxRegression;
using TorchSharp;
using static TorchSharp.torch;

namespace BoxRegression.Tests
{
    public class BoxCoderTests
    {
        [Fact]
        public void Encode_gives_weighted_offsets_and_log_ratios()
        {
            var coder = new BoxCoder();
            using var proposal = tensor(new float[] { 0, 0, 10, 20 }, [1, 4]);
            using var target = tensor(new float[] { 1, 4, 11, 44 }, [1, 4]);   // centre +1, +14; width ×1, height ×2
            using var deltas = coder.Encode(target, proposal);
            var d = deltas.data<float>().ToArray();
            Assert.Equal(10 * 1.0 / 10, d[0], 5);
            Assert.Equal(10 * 14.0 / 20, d[1], 5);
            Assert.Equal(0.0, d[2], 5);
            Assert.Equal(5 * Math.Log(2), d[3], 5);
        }

        [Fact]
        public void Decode_inverts_encode()
        {
            var coder = new BoxCoder();
            var rng = new Random(5);
            float[] RandomBoxes() => Enumerable.Range(0, 50).SelectMany(_ =>
            {
                float x = (float)(60 * rng.NextDouble()), y = (float)(60 * rng.NextDouble());
                return new[] { x, y, x + 2 + (float)(30 * rng.NextDouble()), y + 2 + (float)(30 * rng.NextDouble()) };
            }).ToArray();
            using var proposals = tensor(RandomBoxes(), [50, 4]);
            using var targets = tensor(RandomBoxes(), [50, 4]);
            using var deltas = coder.Encode(targets, proposals);
            using var decoded = coder.Decode(deltas, proposals);
            var expected = targets.data<float>().ToArray();
            var actual = decoded.data<float>().ToArray();
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-3);
        }

        [Fact]
        public void Decode_clamps_the_size_deltas_at_log_1000_over_16()
        {
            var coder = new BoxCoder();
            using var proposal = tensor(new float[] { 0, 0, 2, 2 }, [1, 4]);
            using var deltas = tensor(new float[] { 0, 0, 1000, -3 }, [1, 4]);   // dw far beyond the clamp, dh shrinks (not clamped)
            using var box = coder.Decode(deltas, proposal);
            var b = box.data<float>().ToArray();
            Assert.Equal(2 * 1000.0 / 16, b[2] - b[0], 3);
            Assert.Equal(2 * Math.Exp(-3.0 / 5), b[3] - b[1], 4);
        }
    }
}
