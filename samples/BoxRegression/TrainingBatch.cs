using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>
    /// One training step's input: images [B, 3, S, S], sampled RoIs [R, 4] (per image, in order), labels [R],
    /// and for the P foreground RoIs their row in the flattened class-specific deltas, encoded targets [P, 4]
    /// and true boxes [P, 4]. Built on the CPU, then moved to the training device.
    /// </summary>
    internal sealed class TrainingBatch : IDisposable
    {
        public required Tensor Images { get; init; }
        public required Tensor Rois { get; init; }
        public required long[] RoisPerImage { get; init; }
        public required Tensor Labels { get; init; }
        public required Tensor ForegroundRows { get; init; }
        public required Tensor ForegroundProposals { get; init; }
        public required Tensor Targets { get; init; }
        /// <summary>The (possibly corrupted) annotated boxes [F, 4] that <see cref="Targets"/> encode: what an IoU loss on decoded boxes trains against.</summary>
        public required Tensor TargetBoxes { get; init; }
        public required Tensor TrueBoxes { get; init; }
        public long SampledRois => Rois.shape[0];

        public void Dispose()
        {
            Images.Dispose(); Rois.Dispose(); Labels.Dispose(); ForegroundRows.Dispose();
            ForegroundProposals.Dispose(); Targets.Dispose(); TargetBoxes.Dispose(); TrueBoxes.Dispose();
        }
    }

    /// <summary>
    /// Draws training batches for one (training set, corruption, matching mode) from a seeded random stream: which images,
    /// their proposals and the sampled RoIs depend only on the seed, never on the model, so every loss sees the same batches.
    /// </summary>
    internal sealed class TrainingBatchBuilder(Scene[] scenes, Box[][] annotated, MatchingMode matching,
        ProposalGenerator proposals, RoiSampler sampler, BoxCoder coder, int imagesPerBatch)
    {
        public TrainingBatch Next(Random rng, Device device)
        {
            int size = scenes[0].Size;
            var pixels = new float[imagesPerBatch * 3 * size * size];
            var counts = new long[imagesPerBatch];
            var rois = new List<SampledRoi>();
            for (int b = 0; b < imagesPerBatch; b++)
            {
                int index = rng.Next(scenes.Length);
                var scene = scenes[index];
                Array.Copy(scene.Pixels, 0, pixels, b * scene.Pixels.Length, scene.Pixels.Length);
                var labelBoxes = annotated[index];
                // Faster R-CNN appends the ground truth to the proposals; "ground truth" is what the matching step sees.
                var matchBoxes = matching == MatchingMode.Labels ? labelBoxes : scene.Boxes;
                var candidates = proposals.Propose(scene, rng);
                candidates.AddRange(matchBoxes.Select(box => box.ClipTo(size)));
                var sampled = sampler.Sample(candidates, matchBoxes, labelBoxes, scene.Boxes, scene.Classes, rng);
                counts[b] = sampled.Count;
                rois.AddRange(sampled);
            }

            var fgRows = new List<long>();
            for (int r = 0; r < rois.Count; r++)
                if (rois[r].Label > 0) fgRows.Add(r * Scene.ClassCount + rois[r].Label - 1);
            var fg = rois.Where(r => r.Label > 0).ToArray();

            using var scope = NewDisposeScope();
            var fgProposals = RoiSampler.ToTensor(fg.Select(r => r.Proposal).ToArray());
            var targetBoxes = RoiSampler.ToTensor(fg.Select(r => r.RegressionTarget).ToArray());
            var targets = coder.Encode(targetBoxes, fgProposals);
            var batch = new TrainingBatch
            {
                Images = tensor(pixels, [imagesPerBatch, 3, size, size]).to(device).MoveToOuterDisposeScope(),
                Rois = RoiSampler.ToTensor(rois.Select(r => r.Proposal).ToArray()).to(device).MoveToOuterDisposeScope(),
                RoisPerImage = counts,
                Labels = tensor(rois.Select(r => (long)r.Label).ToArray()).to(device).MoveToOuterDisposeScope(),
                ForegroundRows = tensor(fgRows.ToArray()).to(device).MoveToOuterDisposeScope(),
                ForegroundProposals = fgProposals.to(device).MoveToOuterDisposeScope(),
                Targets = targets.to(device).MoveToOuterDisposeScope(),
                TargetBoxes = targetBoxes.to(device).MoveToOuterDisposeScope(),
                TrueBoxes = RoiSampler.ToTensor(fg.Select(r => r.TrueBox).ToArray()).to(device).MoveToOuterDisposeScope(),
            };
            return batch;
        }
    }
}
