using System;
using TorchLosses;
using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>The box-regression losses compared, all from TorchLosses.</summary>
    internal enum BoxLossKind
    {
        /// <summary>½x²: TorchLosses' huber_loss with δ = +∞ (same scale as SmoothL1/Huber in their quadratic zone).</summary>
        L2,

        /// <summary>|x|: TorchLosses' smooth_l1_loss with β = 0.</summary>
        L1,

        /// <summary>Smooth L1 with β = 1/9, as torchvision's Faster R-CNN box head.</summary>
        SmoothL1,

        /// <summary>Huber with δ = 1 on the encoded-target scale (about one standard deviation of clean targets).</summary>
        Huber,

        /// <summary>GIoU on decoded boxes: the predicted deltas decoded with the proposals, TorchLosses' generalized_box_iou_loss
        /// against the annotated boxes (the usual recipe of IoU losses in two-stage detectors).</summary>
        GIoU,
    }

    /// <summary>Applies a <see cref="BoxLossKind"/> the way torchvision's fastrcnn_loss does: summed over the foreground
    /// RoIs' four coordinates of their ground-truth class, divided by the number of sampled RoIs (our <c>normalizer</c>).
    /// GIoU is summed over the foreground RoIs' decoded boxes (one loss per box) and divided the same way.</summary>
    internal static class BoxLoss
    {
        public const double SmoothL1Beta = 1.0 / 9.0;

        /// <summary>δ for Huber: the encoded targets (weights 10, 10, 5, 5) of the clean jittered proposals have a standard
        /// deviation of about 1 per coordinate, so δ = 1 keeps clean residuals quadratic and treats the corrupted ones
        /// (typically 3–10 on this scale) linearly.</summary>
        public const double HuberDelta = 1.0;

        private static readonly SmoothL1Loss smoothL1 = new(nn.Reduction.Mean, SmoothL1Beta);
        private static readonly HuberLoss huber = new(HuberDelta, nn.Reduction.Mean);

        private static readonly GeneralizedBoxIoULoss giou = new(nn.Reduction.Mean);
        private static readonly BoxCoder coder = new();

        /// <summary>The box loss of the predicted deltas <paramref name="predicted"/> against the encoded <paramref name="target"/>
        /// (both [P, 4], foreground only); GIoU decodes <paramref name="predicted"/> with <paramref name="proposals"/> and compares
        /// the boxes with <paramref name="targetBoxes"/> instead.</summary>
        public static Tensor Compute(BoxLossKind kind, Tensor predicted, Tensor target, long sampledRois, Tensor proposals, Tensor targetBoxes) => kind switch
        {
            BoxLossKind.GIoU => Decoded(predicted, proposals, targetBoxes, sampledRois),
            BoxLossKind.L2 => functional.huber_loss(predicted, target, double.PositiveInfinity, nn.Reduction.Mean, normalizer: sampledRois),
            BoxLossKind.L1 => functional.smooth_l1_loss(predicted, target, nn.Reduction.Mean, beta: 0.0, normalizer: sampledRois),
            BoxLossKind.SmoothL1 => smoothL1.forward(predicted, target, weight: null, normalizer: sampledRois),
            BoxLossKind.Huber => huber.forward(predicted, target, weight: null, normalizer: sampledRois),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        private static Tensor Decoded(Tensor predicted, Tensor proposals, Tensor targetBoxes, long sampledRois)
        {
            using var scope = NewDisposeScope();
            return giou.forward(coder.Decode(predicted, proposals), targetBoxes, weight: null, normalizer: sampledRois).MoveToOuterDisposeScope();
        }

        /// <summary>A short description for tables and legends.</summary>
        public static string Describe(BoxLossKind kind) => kind switch
        {
            BoxLossKind.L2 => "L2 (½x²)",
            BoxLossKind.L1 => "L1",
            BoxLossKind.SmoothL1 => "SmoothL1 β=1/9",
            BoxLossKind.Huber => "Huber δ=1",
            BoxLossKind.GIoU => "GIoU (decoded boxes)",
            _ => kind.ToString(),
        };
    }
}
