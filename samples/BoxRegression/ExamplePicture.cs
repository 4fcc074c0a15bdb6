using System;
using System.Collections.Generic;
using System.Linq;
using SkiaSharp;
using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>
    /// The picture of a few test images: the true box (white), one proposal per object (yellow, dashed) and what each loss
    /// refined it to (one colour per loss). Drawn with SkiaSharp, which ScottPlot brings.
    /// </summary>
    internal static class ExamplePicture
    {
        public const int Images = 6;
        private const int Zoom = 5;
        private static readonly SKColor[] LossColors = [new(235, 64, 52), new(52, 152, 235), new(46, 204, 64), new(200, 80, 230), new(255, 165, 0), new(0, 190, 190), new(255, 0, 255)];

        /// <summary>For each of the first <see cref="Images"/> test images, per true box, the first proposal that matches it (IoU ≥ 0.5).</summary>
        public static (Box Proposal, int ProposalIndex, int TrueIndex)[][] ChooseProposals(TestSet test)
        {
            var chosen = new (Box, int, int)[Math.Min(Images, test.Scenes.Length)][];
            for (int i = 0; i < chosen.Length; i++)
            {
                var (best, bestIou) = RoiSampler.Match(test.Proposals[i], test.Scenes[i].Boxes);
                var list = new List<(Box, int, int)>();
                for (int g = 0; g < test.Scenes[i].Boxes.Length; g++)
                {
                    int p = Enumerable.Range(0, test.Proposals[i].Count).FirstOrDefault(q => best[q] == g && bestIou[q] >= 0.5, -1);
                    if (p >= 0) list.Add((test.Proposals[i][p], p, g));
                }
                chosen[i] = list.ToArray();
            }
            return chosen;
        }

        /// <summary>The chosen proposals refined by <paramref name="model"/> with the deltas of their object's class.</summary>
        public static Box[][] Refine(FastRcnnModel model, TestSet test, Evaluator evaluator)
        {
            var chosen = ChooseProposals(test);
            var subset = new TestSet(test.Scenes[..chosen.Length], test.Proposals[..chosen.Length]);
            var predictions = evaluator.Predict(model, subset);
            var refined = new Box[chosen.Length][];
            for (int i = 0; i < chosen.Length; i++)
            {
                var boxes = predictions[i].Refined.data<float>().ToArray();   // [P, C, 4] flattened
                refined[i] = chosen[i].Select(c =>
                {
                    int at = (c.ProposalIndex * Scene.ClassCount + test.Scenes[i].Classes[c.TrueIndex] - 1) * 4;
                    return new Box(boxes[at], boxes[at + 1], boxes[at + 2], boxes[at + 3]);
                }).ToArray();
            }
            foreach (var (r, p) in predictions) { r.Dispose(); p.Dispose(); }
            return refined;
        }

        /// <summary>Draws the picture to <paramref name="path"/> (PNG).</summary>
        public static void Save(string path, TestSet test, IReadOnlyList<(string Name, Box[][] Refined)> runs)
        {
            var chosen = ChooseProposals(test);
            int size = test.Scenes[0].Size, tile = size * Zoom, columns = 3;
            int rows = (chosen.Length + columns - 1) / columns;
            int legendHeight = 30 + 22 * (runs.Count + 2);
            using var surface = SKSurface.Create(new SKImageInfo(columns * tile + (columns + 1) * 10, rows * (tile + 10) + 10 + legendHeight));
            var canvas = surface.Canvas;
            canvas.Clear(SKColors.White);
            for (int i = 0; i < chosen.Length; i++)
            {
                float left = 10 + (i % columns) * (tile + 10), top = 10 + (i / columns) * (tile + 10);
                DrawImage(canvas, test.Scenes[i], left, top);
                using var clip = new SKAutoCanvasRestore(canvas);
                canvas.ClipRect(new SKRect(left, top, left + tile, top + tile));
                foreach (var (proposal, _, g) in chosen[i])
                {
                    DrawBox(canvas, test.Scenes[i].Boxes[g], left, top, SKColors.White, 2.5f, dashed: false);
                    DrawBox(canvas, proposal, left, top, SKColors.Yellow, 2f, dashed: true);
                }
                for (int r = 0; r < runs.Count; r++)
                    foreach (var box in runs[r].Refined[i]) DrawBox(canvas, box, left, top, LossColors[r % LossColors.Length], 2f, dashed: false);
            }

            using var font = new SKFont(SKTypeface.Default, 16);
            using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            float y = rows * (tile + 10) + 30;
            var legend = new List<(string, SKColor)> { ("true box", SKColors.Gray), ("proposal (dashed)", new SKColor(200, 170, 0)) };
            legend.AddRange(runs.Select((run, r) => ($"refined, {run.Name}", LossColors[r % LossColors.Length])));
            foreach (var (label, color) in legend)
            {
                using var swatch = new SKPaint { Color = color, Style = SKPaintStyle.Fill };
                canvas.DrawRect(new SKRect(12, y - 12, 34, y + 2), swatch);
                canvas.DrawText(label, 44, y, SKTextAlign.Left, font, text);
                y += 22;
            }
            using var image = surface.Snapshot();
            using var png = image.Encode(SKEncodedImageFormat.Png, 100);
            using var file = System.IO.File.Create(path);
            png.SaveTo(file);
        }

        private static void DrawImage(SKCanvas canvas, Scene scene, float left, float top)
        {
            int size = scene.Size;
            using var bitmap = new SKBitmap(size, size);
            for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                byte Channel(int c) => (byte)Math.Clamp(scene.Pixels[(c * size + y) * size + x] * 255, 0, 255);
                bitmap.SetPixel(x, y, new SKColor(Channel(0), Channel(1), Channel(2)));
            }
            using var image = SKImage.FromBitmap(bitmap);
            canvas.DrawImage(image, new SKRect(left, top, left + size * Zoom, top + size * Zoom), new SKSamplingOptions(SKFilterMode.Nearest));
        }

        private static void DrawBox(SKCanvas canvas, Box box, float left, float top, SKColor color, float width, bool dashed)
        {
            using var outline = new SKPaint { Color = SKColors.Black.WithAlpha(160), Style = SKPaintStyle.Stroke, StrokeWidth = width + 2, IsAntialias = true };
            using var paint = new SKPaint { Color = color, Style = SKPaintStyle.Stroke, StrokeWidth = width, IsAntialias = true };
            if (dashed) paint.PathEffect = SKPathEffect.CreateDash([8, 5], 0);
            var rect = new SKRect(left + box.X1 * Zoom, top + box.Y1 * Zoom, left + box.X2 * Zoom, top + box.Y2 * Zoom);
            if (!dashed) canvas.DrawRect(rect, outline);
            canvas.DrawRect(rect, paint);
        }
    }
}
