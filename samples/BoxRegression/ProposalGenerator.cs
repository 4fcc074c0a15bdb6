using System;
using System.Collections.Generic;

namespace BoxRegression
{
    /// <summary>
    /// Stands in for a region proposal network: jittered copies of the objects' true boxes (centre σ = 0.1 × size,
    /// log-size σ = 0.2) plus loose random background boxes, all clipped to the image.
    /// </summary>
    internal sealed class ProposalGenerator(int perObject, int background, double centerSigma = 0.1, double logSizeSigma = 0.2)
    {
        public int PerObject { get; } = perObject;
        public int Background { get; } = background;

        /// <summary>Proposals for one scene: <see cref="PerObject"/> per true box first (in object order), then the background boxes.</summary>
        public List<Box> Propose(Scene scene, Random rng)
        {
            var proposals = new List<Box>(scene.Boxes.Length * PerObject + Background);
            foreach (var b in scene.Boxes)
            {
                for (int k = 0; k < PerObject; k++)
                {
                    double cx = b.CenterX + centerSigma * b.Width * SceneGenerator.Gaussian(rng);
                    double cy = b.CenterY + centerSigma * b.Height * SceneGenerator.Gaussian(rng);
                    double w = b.Width * Math.Exp(logSizeSigma * SceneGenerator.Gaussian(rng));
                    double h = b.Height * Math.Exp(logSizeSigma * SceneGenerator.Gaussian(rng));
                    AddIfValid(proposals, Box.FromCenter(cx, cy, w, h).ClipTo(scene.Size));
                }
            }
            for (int k = 0; k < Background; k++)
            {
                double w = SceneGenerator.Uniform(rng, 8, 40), h = SceneGenerator.Uniform(rng, 8, 40);
                double x1 = SceneGenerator.Uniform(rng, -4, scene.Size - w + 4), y1 = SceneGenerator.Uniform(rng, -4, scene.Size - h + 4);
                AddIfValid(proposals, new Box((float)x1, (float)y1, (float)(x1 + w), (float)(y1 + h)).ClipTo(scene.Size));
            }
            return proposals;
        }

        private static void AddIfValid(List<Box> proposals, Box box)
        {
            if (box.Width >= 2 && box.Height >= 2) proposals.Add(box);
        }
    }
}
