using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>One sampled region of interest: its proposal box, class label (0 = background), and for foreground the
    /// annotated box it must regress to and the true box of the same object (for measuring only).</summary>
    internal readonly record struct SampledRoi(Box Proposal, int Label, Box RegressionTarget, Box TrueBox);

    /// <summary>
    /// Fast R-CNN's proposal matching and RoI sampling: a proposal is foreground when its best IoU with the matching boxes is
    /// ≥ 0.5 and background otherwise; per image up to <c>roisPerImage</c> RoIs are sampled with at most 25 % foreground.
    /// </summary>
    internal sealed class RoiSampler(int roisPerImage, double positiveFraction = 0.25, double foregroundIou = 0.5)
    {
        public int RoisPerImage { get; } = roisPerImage;

        /// <summary>
        /// Matches <paramref name="proposals"/> against <paramref name="matchBoxes"/> (the annotated boxes in
        /// <see cref="MatchingMode.Labels"/>, the true ones in <see cref="MatchingMode.Oracle"/>) and samples RoIs.
        /// </summary>
        public List<SampledRoi> Sample(IReadOnlyList<Box> proposals, Box[] matchBoxes, Box[] annotatedBoxes, Box[] trueBoxes,
            int[] classes, Random rng)
        {
            var (best, bestIou) = Match(proposals, matchBoxes);
            var foreground = new List<int>();
            var background = new List<int>();
            for (int p = 0; p < proposals.Count; p++) (bestIou[p] >= foregroundIou ? foreground : background).Add(p);

            var fg = foreground.ToArray();
            var bg = background.ToArray();
            rng.Shuffle(fg);
            rng.Shuffle(bg);
            int positives = Math.Min(fg.Length, (int)(RoisPerImage * positiveFraction));
            int negatives = Math.Min(bg.Length, RoisPerImage - positives);

            var rois = new List<SampledRoi>(positives + negatives);
            foreach (int p in fg.Take(positives))
                rois.Add(new SampledRoi(proposals[p], classes[best[p]], annotatedBoxes[best[p]], trueBoxes[best[p]]));
            foreach (int p in bg.Take(negatives))
                rois.Add(new SampledRoi(proposals[p], 0, default, default));
            return rois;
        }

        /// <summary>For each proposal, the index of the box it overlaps most and that IoU.</summary>
        public static (int[] Best, float[] BestIou) Match(IReadOnlyList<Box> proposals, Box[] boxes)
        {
            var best = new int[proposals.Count];
            var bestIou = new float[proposals.Count];
            if (boxes.Length == 0 || proposals.Count == 0) return (best, bestIou);
            using var scope = NewDisposeScope();
            var iou = BoxOps.box_iou(ToTensor(proposals), ToTensor(boxes));
            var (values, indices) = iou.max(1);
            values.data<float>().CopyTo(bestIou);
            var idx = indices.data<long>().ToArray();
            for (int i = 0; i < idx.Length; i++) best[i] = (int)idx[i];
            return (best, bestIou);
        }

        /// <summary>Boxes as a [N, 4] float32 CPU tensor (xyxy).</summary>
        public static Tensor ToTensor(IReadOnlyList<Box> boxes)
        {
            var data = new float[boxes.Count * 4];
            for (int i = 0; i < boxes.Count; i++)
            {
                data[4 * i] = boxes[i].X1; data[4 * i + 1] = boxes[i].Y1; data[4 * i + 2] = boxes[i].X2; data[4 * i + 3] = boxes[i].Y2;
            }
            return tensor(data, [boxes.Count, 4]);
        }
    }
}
