using System;
using System.Collections.Generic;

namespace BoxRegression
{
    /// <summary>
    /// Generates seeded images of 1–4 shapes (rectangles, ellipses, triangles) on a random background: aspect ratio 0.5–2,
    /// colours with a minimum contrast to the background, overlaps capped at IoU 0.3, 2×2 supersampled edges, Gaussian pixel noise.
    /// Boxes are the exact (tight) extents of the shapes. Nothing is downloaded.
    /// </summary>
    internal static class SceneGenerator
    {
        private const double MaxOverlapIou = 0.3;
        private const double MinContrast = 0.35;   // mean absolute RGB difference between shape and background
        private const double NoiseSigma = 0.05;

        /// <summary>Generates <paramref name="count"/> scenes from <paramref name="seed"/>.</summary>
        public static Scene[] Generate(int count, int seed, int size = 64)
        {
            var rng = new Random(seed);
            var scenes = new Scene[count];
            for (int i = 0; i < count; i++) scenes[i] = GenerateOne(rng, size);
            return scenes;
        }

        private static Scene GenerateOne(Random rng, int size)
        {
            var pixels = new float[3 * size * size];
            var background = RandomColor(rng);
            for (int c = 0; c < 3; c++) Array.Fill(pixels, background[c], c * size * size, size * size);

            int wanted = rng.Next(1, 5);
            var boxes = new List<Box>();
            var classes = new List<int>();
            for (int attempt = 0; attempt < 100 && boxes.Count < wanted; attempt++)
            {
                double side = Uniform(rng, 12, 30);                              // sqrt(w·h)
                double aspect = Math.Exp(Uniform(rng, Math.Log(0.5), Math.Log(2.0)));   // h / w
                double w = side / Math.Sqrt(aspect), h = side * Math.Sqrt(aspect);
                if (w > size - 4 || h > size - 4) continue;
                double x1 = Uniform(rng, 2, size - 2 - w), y1 = Uniform(rng, 2, size - 2 - h);
                var box = new Box((float)x1, (float)y1, (float)(x1 + w), (float)(y1 + h));
                if (boxes.Exists(b => Box.Iou(b, box) > MaxOverlapIou)) continue;

                var kind = (ShapeKind)rng.Next(1, 4);
                bool apexUp = rng.Next(2) == 0;
                float[] color;
                do color = RandomColor(rng); while (Contrast(color, background) < MinContrast);
                Draw(pixels, size, box, kind, apexUp, color);
                boxes.Add(box);
                classes.Add((int)kind);
            }

            for (int i = 0; i < pixels.Length; i++) pixels[i] += (float)(NoiseSigma * Gaussian(rng));
            return new Scene(size, pixels, boxes.ToArray(), classes.ToArray());
        }

        // Paints the shape with 2×2 supersampling, so edges carry sub-pixel position information.
        private static void Draw(float[] pixels, int size, Box box, ShapeKind kind, bool apexUp, float[] color)
        {
            int px1 = Math.Max(0, (int)Math.Floor(box.X1)), px2 = Math.Min(size - 1, (int)Math.Ceiling(box.X2));
            int py1 = Math.Max(0, (int)Math.Floor(box.Y1)), py2 = Math.Min(size - 1, (int)Math.Ceiling(box.Y2));
            for (int y = py1; y <= py2; y++)
            for (int x = px1; x <= px2; x++)
            {
                int inside = 0;
                for (int sy = 0; sy < 2; sy++)
                for (int sx = 0; sx < 2; sx++)
                    if (Contains(box, kind, apexUp, x + 0.25 + 0.5 * sx, y + 0.25 + 0.5 * sy)) inside++;
                if (inside == 0) continue;
                float coverage = inside / 4f;
                for (int c = 0; c < 3; c++)
                {
                    int at = (c * size + y) * size + x;
                    pixels[at] = (1 - coverage) * pixels[at] + coverage * color[c];
                }
            }
        }

        private static bool Contains(Box b, ShapeKind kind, bool apexUp, double x, double y)
        {
            if (x < b.X1 || x > b.X2 || y < b.Y1 || y > b.Y2) return false;
            double hw = 0.5 * b.Width, hh = 0.5 * b.Height;
            double dx = x - b.CenterX, dy = y - b.CenterY;
            switch (kind)
            {
                case ShapeKind.Rectangle:
                    return true;
                case ShapeKind.Ellipse:
                    return (dx * dx) / (hw * hw) + (dy * dy) / (hh * hh) <= 1.0;
                default:
                    double depth = apexUp ? (y - b.Y1) / b.Height : (b.Y2 - y) / b.Height;   // 0 at the apex, 1 at the base
                    return Math.Abs(dx) <= hw * depth;
            }
        }

        private static float[] RandomColor(Random rng) => [(float)rng.NextDouble(), (float)rng.NextDouble(), (float)rng.NextDouble()];

        private static double Contrast(float[] a, float[] b)
            => (Math.Abs(a[0] - b[0]) + Math.Abs(a[1] - b[1]) + Math.Abs(a[2] - b[2])) / 3.0;

        internal static double Uniform(Random rng, double low, double high) => low + (high - low) * rng.NextDouble();

        /// <summary>A standard normal draw (Box–Muller).</summary>
        internal static double Gaussian(Random rng)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
    }
}
