using System;
using System.Linq;
using BoxRegression;
using TorchSharp;
using static TorchSharp.torch;

namespace BoxRegression.Tests
{
    /// <summary>The sample's GIoU choice: GIoU of the decoded predicted boxes against the annotated boxes, trained like the other losses.</summary>
    public class GIoUTrainingTests
    {
        private static TrainingBatch Batch(int seed)
        {
            var scenes = SceneGenerator.Generate(8, seed);
            var annotated = LabelCorruption.Corrupt(scenes, 0.0, seed + 1);
            var builder = new TrainingBatchBuilder(scenes, annotated, MatchingMode.Oracle, new ProposalGenerator(perObject: 8, background: 16),
                new RoiSampler(roisPerImage: 32), new BoxCoder(), imagesPerBatch: 4);
            return builder.Next(new Random(seed + 2), CPU);
        }

        /// <summary>The loss is torchvision's GIoU loss (TorchVision .NET, tests only) of the decoded boxes, summed and divided by the sampled RoIs.</summary>
        [Fact]
        public void Giou_is_the_generalized_box_iou_loss_of_the_decoded_boxes()
        {
            using var scope = NewDisposeScope();
            using var batch = Batch(5);
            var deltas = randn(batch.Targets.shape).mul(0.5.ToScalar());
            using var giou = BoxLoss.Create(BoxLossKind.GIoU);
            var loss = giou.Compute(deltas, batch.Targets, batch.SampledRois, batch.ForegroundProposals, batch.TargetBoxes);
            var decoded = new BoxCoder().Decode(deltas, batch.ForegroundProposals);
            var expected = torchvision.ops.generalized_box_iou_loss(decoded, batch.TargetBoxes, nn.Reduction.Sum).item<float>() / batch.SampledRois;
            Assert.True(batch.TargetBoxes.shape[0] > 0);
            Assert.True(Math.Abs(loss.item<float>() - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"{loss.item<float>()} vs {expected}");
            // The annotated boxes are what the encoded targets encode: decoding the targets gives them back.
            Assert.True(new BoxCoder().Decode(batch.Targets, batch.ForegroundProposals).allclose(batch.TargetBoxes, rtol: 1e-4, atol: 1e-3));
        }

        /// <summary>Training steps with the GIoU box loss on one batch run through the model and lower that loss.</summary>
        [Fact]
        public void Giou_training_steps_lower_the_loss()
        {
            using var scope = NewDisposeScope();
            torch.manual_seed(3);
            using var batch = Batch(7);
            using var model = new FastRcnnModel();
            model.train();
            using var optimizer = new ExplicitScalarAdam(model.parameters(), 1e-3);
            using var giou = BoxLoss.Create(BoxLossKind.GIoU);
            float Step()
            {
                using var step = NewDisposeScope();
                var (_, deltas) = model.Forward(batch.Images, batch.Rois, batch.RoisPerImage);
                var predicted = deltas.reshape(-1, 4).index_select(0, batch.ForegroundRows);
                var loss = giou.Compute(predicted, batch.Targets, batch.SampledRois, batch.ForegroundProposals, batch.TargetBoxes);
                optimizer.zero_grad();
                loss.backward();
                optimizer.Step();
                return loss.item<float>();
            }
            var losses = Enumerable.Range(0, 8).Select(_ => Step()).ToArray();
            Assert.All(losses, value => Assert.True(float.IsFinite(value) && value > 0));
            Assert.True(losses[^1] < losses[0], string.Join(", ", losses));
        }

        /// <summary>The trainer runs GIoU end to end (a few steps) and reports finite losses.</summary>
        [Fact]
        public void Trainer_runs_giou()
        {
            var settings = new TrainingSettings(Steps: 10, ImagesPerBatch: 2, RoisPerImage: 16, TrainImages: 8, TestImages: 4);
            var scenes = SceneGenerator.Generate(settings.TrainImages, 11);
            var builder = new TrainingBatchBuilder(scenes, LabelCorruption.Corrupt(scenes, 0.4, 12), MatchingMode.Oracle,
                new ProposalGenerator(settings.ProposalsPerObject, settings.BackgroundProposals), new RoiSampler(settings.RoisPerImage),
                new BoxCoder(), settings.ImagesPerBatch);
            var (model, curve, _) = new Trainer(settings, CPU).Train(builder, BoxLossKind.GIoU, seed: 13);
            model.Dispose();
            Assert.NotEmpty(curve);
            Assert.All(curve, point => Assert.True(double.IsFinite(point.Loss) && double.IsFinite(point.BoxLoss)));
        }
    }
}
