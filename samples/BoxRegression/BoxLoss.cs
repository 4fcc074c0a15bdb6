using System;
using System.Collections.Generic;
using System.Linq;
using TorchLosses;
using TorchSharp;

using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>The box-regression losses compared, all from TorchLosses. The names are the ones used on the command line and in metrics.json.</summary>
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

        /// <summary>Balanced L1 (Libra R-CNN) with mmdetection's defaults α = 0.5, γ = 1.5, β = 1 on the encoded targets.</summary>
        BalancedL1,

        /// <summary>GIoU on decoded boxes: the predicted deltas decoded with the proposals, TorchLosses' generalized_box_iou_loss
        /// against the annotated boxes (the usual recipe of IoU losses in two-stage detectors).</summary>
        GIoU,

        /// <summary>Barron's adaptive loss: the negative log-likelihood with one learned α and one learned scale per box
        /// coordinate (dx, dy, dw, dh), TorchLosses' AdaptiveRobustLoss(4), trained along with the model.</summary>
        AdaptiveRobust,
    }

    /// <summary>
    /// One run's box loss, applied the way torchvision's fastrcnn_loss does: summed over the foreground RoIs' four coordinates of
    /// their ground-truth class, divided by the number of sampled RoIs (our <c>normalizer</c>). GIoU is summed over the foreground
    /// RoIs' decoded boxes (one loss per box) and divided the same way; AdaptiveRobust sums its negative log-likelihood over the
    /// foreground RoIs' coordinates and divides the same way. AdaptiveRobust has parameters (<see cref="Parameters"/>), which the
    /// trainer optimises with the model; the others have none. Create one per training run.
    /// </summary>
    internal sealed class BoxLoss : IDisposable
    {
        public const double SmoothL1Beta = 1.0 / 9.0;

        /// <summary>δ for Huber: the encoded targets (weights 10, 10, 5, 5) of the clean jittered proposals have a standard
        /// deviation of about 1 per coordinate, so δ = 1 keeps clean residuals quadratic and treats the corrupted ones
        /// (typically 3–10 on this scale) linearly. (δ = 1/9 would be 1/9 × SmoothL1 with β = 1/9: the same run up to a loss weight.)</summary>
        public const double HuberDelta = 1.0;

        /// <summary>Balanced L1's α, γ, β: mmdetection's defaults, whose β = 1 is meant for targets normalised as ours are.</summary>
        public const double BalancedAlpha = 0.5, BalancedGamma = 1.5, BalancedBeta = 1.0;

        /// <summary>The box coordinates, in the order of the deltas and of the learned α and scale of AdaptiveRobust.</summary>
        public static readonly string[] Coordinates = ["dx", "dy", "dw", "dh"];

        private static readonly SmoothL1Loss smoothL1 = new(nn.Reduction.Mean, SmoothL1Beta);
        private static readonly HuberLoss huber = new(HuberDelta, nn.Reduction.Mean);
        private static readonly GeneralizedBoxIoULoss giou = new(nn.Reduction.Mean);
        private static readonly BoxCoder coder = new();

        private readonly AdaptiveRobustLoss? adaptive;

        private BoxLoss(BoxLossKind kind, Device? device)
        {
            Kind = kind;
            if (kind == BoxLossKind.AdaptiveRobust)
            {
                // Barron's defaults: α in (0.001, 1.999) starting at 1, scale from 1 (about the clean targets' sd) and at least 1e-5.
                adaptive = new AdaptiveRobustLoss(num_dims: 4, reduction: nn.Reduction.Sum);
                if (device is not null) adaptive.to(device);
            }
        }

        /// <summary>A fresh loss of <paramref name="kind"/> (AdaptiveRobust: fresh parameters on <paramref name="device"/>).</summary>
        public static BoxLoss Create(BoxLossKind kind, Device? device = null) => new(kind, device);

        public BoxLossKind Kind { get; }

        /// <summary>The loss's own trainable parameters (AdaptiveRobust's latent α and scale), empty for the others.</summary>
        public IReadOnlyList<TorchSharp.Modules.Parameter> Parameters => adaptive is null ? [] : adaptive.parameters().ToArray();

        /// <summary>The box loss of the predicted deltas <paramref name="predicted"/> against the encoded <paramref name="target"/>
        /// (both [P, 4], foreground only); GIoU decodes <paramref name="predicted"/> with <paramref name="proposals"/> and compares
        /// the boxes with <paramref name="targetBoxes"/> instead.</summary>
        public Tensor Compute(Tensor predicted, Tensor target, long sampledRois, Tensor proposals, Tensor targetBoxes) => Kind switch
        {
            BoxLossKind.GIoU => Decoded(predicted, proposals, targetBoxes, sampledRois),
            BoxLossKind.L2 => functional.huber_loss(predicted, target, double.PositiveInfinity, nn.Reduction.Mean, normalizer: sampledRois),
            BoxLossKind.L1 => functional.smooth_l1_loss(predicted, target, nn.Reduction.Mean, beta: 0.0, normalizer: sampledRois),
            BoxLossKind.SmoothL1 => smoothL1.forward(predicted, target, weight: null, normalizer: sampledRois),
            BoxLossKind.Huber => huber.forward(predicted, target, weight: null, normalizer: sampledRois),
            BoxLossKind.BalancedL1 => functional.balanced_l1_loss(predicted, target, BalancedAlpha, BalancedGamma, BalancedBeta,
                nn.Reduction.Mean, weight: null, normalizer: sampledRois),
            BoxLossKind.AdaptiveRobust => Adaptive(predicted, target, sampledRois),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
        };

        private static Tensor Decoded(Tensor predicted, Tensor proposals, Tensor targetBoxes, long sampledRois)
        {
            using var scope = NewDisposeScope();
            return giou.forward(coder.Decode(predicted, proposals), targetBoxes, weight: null, normalizer: sampledRois).MoveToOuterDisposeScope();
        }

        private Tensor Adaptive(Tensor predicted, Tensor target, long sampledRois)
        {
            using var scope = NewDisposeScope();
            using var count = ((double)sampledRois).ToScalar();
            return adaptive!.forward(predicted, target).div(count).MoveToOuterDisposeScope();
        }

        /// <summary>AdaptiveRobust's current α and scale per coordinate (<see cref="Coordinates"/>); null for the other losses.</summary>
        public (double[] Alpha, double[] Scale)? Learned()
        {
            if (adaptive is null) return null;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            double[] Values(Tensor t) => t.to(ScalarType.Float64).cpu().reshape(-1).data<double>().ToArray();
            return (Values(adaptive.alpha()), Values(adaptive.scale()));
        }

        public void Dispose() => adaptive?.Dispose();

        /// <summary>A short description for tables and legends.</summary>
        public static string Describe(BoxLossKind kind) => kind switch
        {
            BoxLossKind.L2 => "L2 (½x²)",
            BoxLossKind.L1 => "L1",
            BoxLossKind.SmoothL1 => "SmoothL1 β=1/9",
            BoxLossKind.Huber => "Huber δ=1",
            BoxLossKind.BalancedL1 => "BalancedL1",
            BoxLossKind.GIoU => "GIoU (decoded boxes)",
            BoxLossKind.AdaptiveRobust => "AdaptiveRobust",
            _ => kind.ToString(),
        };
    }
}
