using System;
using System.Collections.Generic;
using System.Linq;

namespace BoxRegression
{
    /// <summary>
    /// Pascal-VOC-style average precision (all-point interpolation), averaged over classes: detections sorted by score are
    /// matched greedily to the unmatched true box of their class with the highest IoU ≥ the threshold.
    /// </summary>
    internal sealed class AveragePrecision
    {
        private readonly List<(float Score, int Class, int Image, float[] IouWithTruth)> detections = [];
        private readonly List<int[]> truthClasses = [];

        /// <summary>Adds one image: its true classes and its detections with their IoU against each true box (rows of box_iou).</summary>
        public void AddImage(int[] trueClasses, float[] scores, int[] classes, float[][] iouWithTruth)
        {
            int image = truthClasses.Count;
            truthClasses.Add(trueClasses);
            for (int d = 0; d < scores.Length; d++) detections.Add((scores[d], classes[d], image, iouWithTruth[d]));
        }

        /// <summary>Mean over classes (with at least one true box) of the AP at IoU ≥ <paramref name="iouThreshold"/>.</summary>
        public double Compute(double iouThreshold)
        {
            var aps = new List<double>();
            for (int c = 1; c <= Scene.ClassCount; c++)
            {
                int positives = truthClasses.Sum(t => t.Count(x => x == c));
                if (positives == 0) continue;
                var matched = truthClasses.Select(t => new bool[t.Length]).ToArray();
                var ranked = detections.Where(d => d.Class == c).OrderByDescending(d => d.Score).ToArray();
                var precision = new double[ranked.Length];
                var recall = new double[ranked.Length];
                int tp = 0;
                for (int i = 0; i < ranked.Length; i++)
                {
                    var d = ranked[i];
                    var truth = truthClasses[d.Image];
                    int best = -1;
                    double bestIou = iouThreshold;
                    for (int g = 0; g < truth.Length; g++)
                        if (truth[g] == c && !matched[d.Image][g] && d.IouWithTruth[g] >= bestIou) { best = g; bestIou = d.IouWithTruth[g]; }
                    if (best >= 0) { matched[d.Image][best] = true; tp++; }
                    precision[i] = tp / (double)(i + 1);
                    recall[i] = tp / (double)positives;
                }
                aps.Add(AreaUnderEnvelope(precision, recall));
            }
            return aps.Count == 0 ? 0 : aps.Average();
        }

        private static double AreaUnderEnvelope(double[] precision, double[] recall)
        {
            var envelope = new double[precision.Length];   // max precision at this recall or beyond
            for (int i = precision.Length - 1; i >= 0; i--)
                envelope[i] = Math.Max(precision[i], i + 1 < precision.Length ? envelope[i + 1] : 0);
            double area = 0, previousRecall = 0;
            for (int i = 0; i < precision.Length; i++)
            {
                area += (recall[i] - previousRecall) * envelope[i];
                previousRecall = recall[i];
            }
            return area;
        }
    }
}
