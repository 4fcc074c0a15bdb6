using System;
using System.Linq;

namespace BoxRegression
{
    /// <summary>
    /// Gross annotation errors: a fraction ε of all training boxes get one randomly chosen edge pushed outward by
    /// U(1, 2) × the box's size along that axis (not clipped to the image). The other boxes keep their true coordinates.
    /// </summary>
    internal static class LabelCorruption
    {
        /// <summary>The annotated boxes, one array per scene, with exactly round(ε · total) boxes corrupted.</summary>
        public static Box[][] Corrupt(Scene[] scenes, double outlierFraction, int seed)
        {
            var rng = new Random(seed);
            var labels = scenes.Select(s => (Box[])s.Boxes.Clone()).ToArray();
            var all = labels.SelectMany((boxes, i) => Enumerable.Range(0, boxes.Length).Select(j => (i, j))).ToArray();
            rng.Shuffle(all);
            int corrupted = (int)Math.Round(outlierFraction * all.Length);
            foreach (var (i, j) in all.Take(corrupted)) labels[i][j] = PushOneEdge(labels[i][j], rng);
            return labels;
        }

        /// <summary>The box with one random edge moved outward by U(1, 2) × its width (left/right) or height (top/bottom).</summary>
        public static Box PushOneEdge(Box b, Random rng)
        {
            double factor = SceneGenerator.Uniform(rng, 1.0, 2.0);
            return rng.Next(4) switch
            {
                0 => b with { X1 = (float)(b.X1 - factor * b.Width) },
                1 => b with { Y1 = (float)(b.Y1 - factor * b.Height) },
                2 => b with { X2 = (float)(b.X2 + factor * b.Width) },
                _ => b with { Y2 = (float)(b.Y2 + factor * b.Height) },
            };
        }
    }
}
