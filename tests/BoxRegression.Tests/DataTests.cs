using System;
using System.Linq;
using BoxRegression;

namespace BoxRegression.Tests
{
    public class DataTests
    {
        [Fact]
        public void Scenes_are_seeded_and_respect_the_constraints()
        {
            var a = SceneGenerator.Generate(30, seed: 11);
            var b = SceneGenerator.Generate(30, seed: 11);
            var c = SceneGenerator.Generate(30, seed: 12);
            Assert.Equal(a[7].Pixels, b[7].Pixels);
            Assert.NotEqual(a[7].Pixels, c[7].Pixels);
            foreach (var scene in a)
            {
                Assert.InRange(scene.Boxes.Length, 1, 4);
                foreach (var box in scene.Boxes)
                {
                    Assert.InRange(box.Height / box.Width, 0.5 - 1e-4, 2 + 1e-4);
                    Assert.True(box.X1 >= 0 && box.Y1 >= 0 && box.X2 <= scene.Size && box.Y2 <= scene.Size);
                }
                for (int i = 0; i < scene.Boxes.Length; i++)
                for (int j = i + 1; j < scene.Boxes.Length; j++)
                    Assert.True(Box.Iou(scene.Boxes[i], scene.Boxes[j]) <= 0.3);
            }
        }

        [Fact]
        public void Corruption_pushes_one_edge_of_exactly_the_chosen_fraction()
        {
            var scenes = SceneGenerator.Generate(50, seed: 4);
            var labels = LabelCorruption.Corrupt(scenes, 0.4, seed: 9);
            int total = scenes.Sum(s => s.Boxes.Length), changed = 0;
            for (int i = 0; i < scenes.Length; i++)
            for (int j = 0; j < scenes[i].Boxes.Length; j++)
            {
                Box t = scenes[i].Boxes[j], l = labels[i][j];
                if (t == l) continue;
                changed++;
                float[] moves = [t.X1 - l.X1, t.Y1 - l.Y1, l.X2 - t.X2, l.Y2 - t.Y2];   // outward movement of each edge
                Assert.Equal(3, moves.Count(m => m == 0));
                int edge = Array.FindIndex(moves, m => m != 0);
                double size = edge % 2 == 0 ? t.Width : t.Height;
                Assert.InRange(moves[edge] / size, 1.0 - 1e-4, 2.0 + 1e-4);
            }
            Assert.Equal((int)Math.Round(0.4 * total), changed);
        }

        [Fact]
        public void Proposals_cover_every_object()
        {
            var scenes = SceneGenerator.Generate(20, seed: 2);
            var generator = new ProposalGenerator(perObject: 8, background: 16);
            var rng = new Random(0);
            foreach (var scene in scenes)
            {
                var proposals = generator.Propose(scene, rng);
                var (best, iou) = RoiSampler.Match(proposals, scene.Boxes);
                for (int g = 0; g < scene.Boxes.Length; g++)
                    Assert.Contains(Enumerable.Range(0, proposals.Count), p => best[p] == g && iou[p] >= 0.5);
            }
        }
    }
}
