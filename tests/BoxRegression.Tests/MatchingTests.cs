using System;
using System.Linq;
using BoxRegression;

namespace BoxRegression.Tests
{
    public class MatchingTests
    {
        private static readonly Box Object = new(10, 10, 30, 30);

        [Fact]
        public void Proposals_at_or_above_IoU_one_half_are_foreground_with_the_annotated_target()
        {
            var annotated = new Box(10, 10, 50, 30);   // a corrupted label (right edge pushed out by the width)
            var proposals = new[]
            {
                new Box(10, 10, 30, 30),   // IoU 1 with the true box, 0.5 with the annotated one
                new Box(8, 10, 28, 30),    // IoU 18/22 with the true box, 0.43 with the annotated one
                new Box(40, 40, 60, 60),   // background
            };
            var sampler = new RoiSampler(roisPerImage: 16, positiveFraction: 1.0);

            // Oracle: matched against the true box; the regression target is still the annotated box.
            var oracle = sampler.Sample(proposals, [Object], [annotated], [Object], [2], new Random(1));
            Assert.Equal(2, oracle.Count(r => r.Label == 2));
            Assert.All(oracle.Where(r => r.Label > 0), r => { Assert.Equal(annotated, r.RegressionTarget); Assert.Equal(Object, r.TrueBox); });

            // Labels: matched against the annotated box: only the exact IoU-0.5 proposal stays foreground.
            var labels = sampler.Sample(proposals, [annotated], [annotated], [Object], [2], new Random(1));
            Assert.Single(labels, r => r.Label == 2);
            Assert.Equal(proposals[0], labels.Single(r => r.Label == 2).Proposal);
        }

        [Fact]
        public void At_most_a_quarter_of_the_sampled_RoIs_are_foreground()
        {
            var rng = new Random(3);
            var proposals = Enumerable.Range(0, 40).Select(_ => new Box(10 + (float)rng.NextDouble(), 10, 30, 30))
                .Concat(Enumerable.Range(0, 40).Select(i => new Box(40, i, 60, i + 5))).ToList();
            var sampler = new RoiSampler(roisPerImage: 32);
            var rois = sampler.Sample(proposals, [Object], [Object], [Object], [1], rng);
            Assert.Equal(32, rois.Count);
            Assert.Equal(8, rois.Count(r => r.Label > 0));
        }

        [Fact]
        public void Match_picks_the_box_with_the_highest_IoU()
        {
            var boxes = new[] { new Box(0, 0, 10, 10), new Box(20, 20, 40, 40) };
            var (best, iou) = RoiSampler.Match([new Box(21, 20, 41, 40), new Box(0, 0, 5, 10)], boxes);
            Assert.Equal(new[] { 1, 0 }, best);
            Assert.Equal(19.0 / 21.0, iou[0], 5);
            Assert.Equal(0.5, iou[1], 5);
        }
    }
}
