using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>One point of a training curve.</summary>
    internal readonly record struct TrainingPoint(int Step, double Loss, double BoxLoss, double TrainIou);

    /// <summary>What a loss with parameters learned: AdaptiveRobust's α and scale per box coordinate (dx, dy, dw, dh).</summary>
    internal sealed record LearnedLoss(double[] Alpha, double[] Scale);

    /// <summary>
    /// Trains a <see cref="FastRcnnModel"/> as torchvision's fastrcnn_loss does: cross-entropy over all sampled RoIs plus the box
    /// loss over the foreground RoIs' deltas of their labelled class, summed and divided by the number of sampled RoIs.
    /// Adam; a loss's own parameters (AdaptiveRobust) are in the same optimiser with their own learning rate. Each step in its own dispose scope.
    /// </summary>
    internal sealed class Trainer(TrainingSettings settings, Device device)
    {
        private const int ReportEvery = 10;

        /// <summary>Trains a fresh model (initialised from <paramref name="seed"/>) and reports progress every few steps.</summary>
        /// <param name="batches">The source of training batches (same for every loss with this seed).</param>
        /// <param name="lossKind">The box-regression loss.</param>
        /// <param name="seed">Seeds the model's initialisation and the batch stream.</param>
        /// <param name="onProgress">Called with (steps done, recent loss, recent IoU of refined foreground RoIs with their true boxes).</param>
        /// <returns>The trained model (in eval mode), its training curve, and for AdaptiveRobust the α and scale it learned (else null).</returns>
        public (FastRcnnModel Model, List<TrainingPoint> Curve, LearnedLoss? Learned) Train(TrainingBatchBuilder batches, BoxLossKind lossKind, int seed,
            Action<int, double, double>? onProgress = null)
        {
            torch.manual_seed(seed);
            var model = new FastRcnnModel();
            model.to(device);
            model.train();
            using var loss = BoxLoss.Create(lossKind, device);   // after the model: the model's initial weights do not depend on the loss
            using var optimizer = new ExplicitScalarAdam(   // not optim.Adam: see its docs
                [(model.parameters(), settings.LearningRate), (loss.Parameters, settings.LossParameterLearningRate)]);
            var coder = new BoxCoder();
            var rng = new Random(unchecked(seed * 7919 + 17));   // the same batches for every loss with this seed
            var curve = new List<TrainingPoint>();
            double lossSum = 0, boxSum = 0;
            int pending = 0;

            for (int step = 1; step <= settings.Steps; step++)
            {
                using var scope = NewDisposeScope();
                using var batch = batches.Next(rng, device);
                var (scores, deltas) = model.Forward(batch.Images, batch.Rois, batch.RoisPerImage);
                var classLoss = nn.functional.cross_entropy(scores, batch.Labels);
                var predicted = deltas.reshape(-1, 4).index_select(0, batch.ForegroundRows);
                var boxLoss = loss.Compute(predicted, batch.Targets, batch.SampledRois, batch.ForegroundProposals, batch.TargetBoxes);
                using var one = 1.0.ToScalar();
                var total = classLoss.add(boxLoss, one);

                optimizer.zero_grad();
                total.backward();
                optimizer.Step();

                // Host syncs for the progress display only (outside the loss), summed over ReportEvery steps.
                lossSum += total.item<float>();
                boxSum += boxLoss.item<float>();
                pending++;
                if (step % ReportEvery == 0 || step == settings.Steps)
                {
                    double iou;
                    using (no_grad())
                    {
                        var refined = coder.Decode(predicted.detach(), batch.ForegroundProposals);
                        iou = PairedIou(refined, batch.TrueBoxes).mean().item<float>();
                    }
                    curve.Add(new TrainingPoint(step, lossSum / pending, boxSum / pending, iou));
                    onProgress?.Invoke(step, lossSum / pending, iou);
                    lossSum = boxSum = 0;
                    pending = 0;
                }
            }
            model.eval();
            var learned = loss.Learned() is var (alpha, scale) ? new LearnedLoss(alpha, scale) : null;
            return (model, curve, learned);
        }

        /// <summary>IoU of box i of <paramref name="a"/> with box i of <paramref name="b"/>.</summary>
        public static Tensor PairedIou(Tensor a, Tensor b)
        {
            using var scope = NewDisposeScope();
            return BoxOps.paired_iou(a, b).MoveToOuterDisposeScope();
        }
    }
}
