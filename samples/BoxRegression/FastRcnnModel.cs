using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>
    /// The second stage of a Faster R-CNN on a small backbone: CNN features (stride 2) → RoIAlign 7×7 → two-layer MLP →
    /// class scores (background + <see cref="Scene.ClassCount"/>) and class-specific box deltas (<see cref="Scene.ClassCount"/> × 4).
    /// </summary>
    internal sealed class FastRcnnModel : nn.Module
    {
        public const double FeatureScale = 0.5;   // the backbone halves the resolution once
        private const int Channels = 32;
        private const int Hidden = 128;
        private const int PoolSize = 7;

        private readonly Sequential backbone;
        private readonly Linear fc6;
        private readonly Linear fc7;
        private readonly Linear classScore;
        private readonly Linear boxDelta;

        public FastRcnnModel() : base(nameof(FastRcnnModel))
        {
            backbone = nn.Sequential(
                nn.Conv2d(3, 16, 3, padding: 1), nn.ReLU(),
                nn.Conv2d(16, 32, 3, stride: 2, padding: 1), nn.ReLU(),
                nn.Conv2d(32, Channels, 3, padding: 1), nn.ReLU());
            fc6 = nn.Linear(Channels * PoolSize * PoolSize, Hidden);
            fc7 = nn.Linear(Hidden, Hidden);
            classScore = nn.Linear(Hidden, Scene.ClassCount + 1);
            boxDelta = nn.Linear(Hidden, Scene.ClassCount * 4);
            RegisterComponents();
            // As torchvision's FastRCNNPredictor is usually initialised for detection heads: small box outputs at the start.
            using (no_grad())
            {
                nn.init.normal_(boxDelta.weight!, 0.0, 0.001);
                nn.init.zeros_(boxDelta.bias!);
            }
        }

        /// <summary>
        /// Scores [R, 1 + C] (logits) and box deltas [R, C, 4] for <paramref name="rois"/> [R, 4] (image coordinates),
        /// <paramref name="roisPerImage"/>[b] of them belonging to image b of <paramref name="images"/> [B, 3, H, W].
        /// </summary>
        public (Tensor Scores, Tensor Deltas) Forward(Tensor images, Tensor rois, long[] roisPerImage)
        {
            using var scope = NewDisposeScope();
            using var half = 0.5.ToScalar();
            var features = backbone.call(images.sub(half));
            var pooled = RoiAlign.roi_align(features, rois, roisPerImage, FeatureScale, PoolSize, samplingRatio: 2);
            var x = nn.functional.relu(fc6.call(pooled.flatten(1)));
            x = nn.functional.relu(fc7.call(x));
            var scores = classScore.call(x);
            var deltas = boxDelta.call(x).reshape(-1, Scene.ClassCount, 4);
            return (scores.MoveToOuterDisposeScope(), deltas.MoveToOuterDisposeScope());
        }
    }
}
