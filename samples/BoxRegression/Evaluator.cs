using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>Measures a trained model on a clean <see cref="TestSet"/>.</summary>
    internal sealed class Evaluator(Device device, int imagesPerBatch = 25)
    {
        private const double ScoreThreshold = 0.05;
        private const double NmsIou = 0.5;
        private const int MaxDetections = 100;
        private readonly BoxCoder coder = new();

        /// <summary>The refined boxes [P, C, 4] (CPU) of every test image's proposals, and the class probabilities [P, 1 + C].</summary>
        public List<(Tensor Refined, Tensor Probabilities)> Predict(FastRcnnModel model, TestSet test)
        {
            var outputs = new List<(Tensor, Tensor)>();
            using var noGrad = no_grad();
            model.eval();
            int size = test.Scenes[0].Size;
            for (int start = 0; start < test.Scenes.Length; start += imagesPerBatch)
            {
                using var scope = NewDisposeScope();
                int count = Math.Min(imagesPerBatch, test.Scenes.Length - start);
                var pixels = new float[count * 3 * size * size];
                var counts = new long[count];
                var boxes = new List<Box>();
                for (int b = 0; b < count; b++)
                {
                    var scene = test.Scenes[start + b];
                    Array.Copy(scene.Pixels, 0, pixels, b * scene.Pixels.Length, scene.Pixels.Length);
                    counts[b] = test.Proposals[start + b].Count;
                    boxes.AddRange(test.Proposals[start + b]);
                }
                var proposals = RoiSampler.ToTensor(boxes).to(device);
                var (scores, deltas) = model.Forward(tensor(pixels, [count, 3, size, size]).to(device), proposals, counts);
                var repeated = proposals.repeat_interleave(Scene.ClassCount, 0);   // one copy per class, rows match deltas.reshape(-1, 4)
                var refined = coder.Decode(deltas.reshape(-1, 4), repeated).reshape(-1, Scene.ClassCount, 4).cpu();
                var probabilities = nn.functional.softmax(scores, 1).cpu();
                long offset = 0;
                for (int b = 0; b < count; b++)
                {
                    outputs.Add((refined.narrow(0, offset, counts[b]).clone().DetachFromDisposeScope(),
                                 probabilities.narrow(0, offset, counts[b]).clone().DetachFromDisposeScope()));
                    offset += counts[b];
                }
            }
            return outputs;
        }

        public EvaluationMetrics Evaluate(FastRcnnModel model, TestSet test)
        {
            var predictions = Predict(model, test);
            var before = new List<float>();
            var after = new List<float>();
            var logScale = new List<float>();
            var ap = new AveragePrecision();
            try
            {
                for (int i = 0; i < test.Scenes.Length; i++)
                {
                    using var scope = NewDisposeScope();
                    var scene = test.Scenes[i];
                    var (refined, probabilities) = predictions[i];
                    MeasureRegression(scene, test.Proposals[i], refined, before, after, logScale);
                    AddDetections(scene, refined, probabilities, ap);
                }
            }
            finally
            {
                foreach (var (r, p) in predictions) { r.Dispose(); p.Dispose(); }
            }
            return new EvaluationMetrics(
                before.Count,
                before.Average(),
                after.Average(),
                after.Count(v => v >= 0.5) / (double)after.Count,
                after.Count(v => v >= 0.7) / (double)after.Count,
                after.Count(v => v >= 0.9) / (double)after.Count,
                logScale.Average(),
                ap.Compute(0.5),
                ap.Compute(0.75));
        }

        // Foreground proposals (IoU ≥ 0.5 with a true box) refined with the deltas of that box's class.
        private static void MeasureRegression(Scene scene, List<Box> proposals, Tensor refined,
            List<float> before, List<float> after, List<float> logScale)
        {
            var (best, bestIou) = RoiSampler.Match(proposals, scene.Boxes);
            var rows = new List<long>();
            var truth = new List<Box>();
            for (int p = 0; p < proposals.Count; p++)
            {
                if (bestIou[p] < 0.5) continue;
                rows.Add(p * Scene.ClassCount + scene.Classes[best[p]] - 1);
                truth.Add(scene.Boxes[best[p]]);
                before.Add(bestIou[p]);
            }
            if (rows.Count == 0) return;
            var chosen = refined.reshape(-1, 4).index_select(0, tensor(rows.ToArray()));
            var truthTensor = RoiSampler.ToTensor(truth);
            after.AddRange(Trainer.PairedIou(chosen, truthTensor).data<float>().ToArray());
            var (_, _, w, h) = BoxOps.CenterSize(chosen);
            var (_, _, trueW, trueH) = BoxOps.CenterSize(truthTensor);
            logScale.AddRange(w.div(trueW).log().data<float>().ToArray());
            logScale.AddRange(h.div(trueH).log().data<float>().ToArray());
        }

        // Per-class NMS in one call (torchvision's batched_nms trick: boxes of different classes are offset so they never overlap).
        private static void AddDetections(Scene scene, Tensor refined, Tensor probabilities, AveragePrecision ap)
        {
            int size = scene.Size;
            using var low = 0.0.ToScalar();
            using var high = ((double)size).ToScalar();
            using var minScore = ScoreThreshold.ToScalar();
            using var stride = (size + 1.0).ToScalar();
            var boxes = refined.reshape(-1, 4).clamp(low, high);                                     // [P·C, 4], clipped to the image
            var scores = probabilities.narrow(1, 1, Scene.ClassCount).reshape(-1);                   // [P·C]
            using var firstClass = 1.ToScalar();
            using var endClass = (Scene.ClassCount + 1).ToScalar();
            using var classStep = 1.ToScalar();   // arange(start, end) alone would make its step = 1 implicitly
            var classes = arange(firstClass, endClass, classStep, dtype: ScalarType.Int64).repeat(probabilities.shape[0]);
            var keep = scores.gt(minScore).nonzero().flatten();
            boxes = boxes.index_select(0, keep);
            scores = scores.index_select(0, keep);
            classes = classes.index_select(0, keep);
            if (boxes.shape[0] > 0)
            {
                var offsets = classes.to_type(ScalarType.Float32).mul(stride).unsqueeze(1);
                using var one = 1.0.ToScalar();
                var kept = NoGarbageCollection.Run(() => torchvision.ops.nms(boxes.add(offsets, one), scores, NmsIou));
                if (kept.shape[0] > MaxDetections) kept = kept.narrow(0, 0, MaxDetections);   // nms returns them by decreasing score
                boxes = boxes.index_select(0, kept);
                scores = scores.index_select(0, kept);
                classes = classes.index_select(0, kept);
            }
            var iou = scene.Boxes.Length > 0 && boxes.shape[0] > 0
                ? BoxOps.box_iou(boxes, RoiSampler.ToTensor(scene.Boxes)).data<float>().ToArray()
                : [];
            int detections = (int)boxes.shape[0], truths = scene.Boxes.Length;
            var rows = Enumerable.Range(0, detections).Select(d => iou.AsSpan(d * truths, truths).ToArray()).ToArray();
            ap.AddImage(scene.Classes, scores.data<float>().ToArray(), classes.data<long>().Select(c => (int)c).ToArray(), rows);
        }
    }
}
