using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
#pragma warning disable CS8981 // lowercase on purpose, like torch.nn.functional
    public static partial class functional
#pragma warning restore CS8981
    {
        /// <summary>
        /// Distance IoU (DIoU) loss of box pairs, torchvision's <c>torchvision.ops.distance_box_iou_loss</c> with its names, argument order and defaults:
        /// ℓ = 1 − I/(U + ε) + d²/(c² + ε), with I the intersection's area (0 unless both of its sides are positive),
        /// U = A₁ + A₂ − I the union's, d the distance between the boxes' centres and c the diagonal of the smallest box enclosing
        /// both. ε enters both denominators (TorchVision .NET 0.107 ignores the eps it is given and always uses 10⁻⁷).
        /// Then loss = reduce(weight · ℓ): None (the default, as in torchvision) keeps one loss per box, Sum adds them up, Mean
        /// divides the sum by the number of boxes N (0 for no boxes, as torchvision), or by <paramref name="normalizer"/> when given.
        /// Boxes are (x1, y1, x2, y2) with x1 ≤ x2 and y1 ≤ y2; the loss is symmetric in boxes1 and boxes2.
        /// Values and gradients are torchvision's; see docs/box-iou.md for the tolerances and the differences from TorchVision .NET.
        /// See <see href="https://pytorch.org/vision/stable/generated/torchvision.ops.distance_box_iou_loss.html">torchvision.ops.distance_box_iou_loss</see>; Zheng et al., Distance-IoU Loss (AAAI 2020), https://arxiv.org/abs/1911.08287.
        /// </summary>
        /// <param name="boxes1">First boxes (usually the predictions), shape [N, 4] or [..., 4]. Integer, float16 and bfloat16 boxes are converted to float32, as torchvision does.</param>
        /// <param name="boxes2">Second boxes (usually the targets), of boxes1's shape and on its device. float32 and float64 boxes together are computed in float64.</param>
        /// <param name="reduction">None (default), Mean or Sum.</param>
        /// <param name="eps">ε ≥ 0 (default 10⁻⁷), keeps the denominators away from 0.</param>
        /// <param name="weight">Optional per-box weights, broadcastable to the loss (the boxes' shape without the last dimension).</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only: a number or a 0-d tensor (no host sync).</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the boxes' shape without the last dimension for None.</returns>
        /// <exception cref="System.ArgumentException">Boxes not of shape [..., 4], of different shapes or devices, a weight that is not floating point or does not broadcast, a normaliser with another reduction than Mean.</exception>
        /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="eps"/> negative, infinite or NaN.</exception>
        public static Tensor distance_box_iou_loss(Tensor boxes1, Tensor boxes2, nn.Reduction reduction = nn.Reduction.None, double eps = 1e-7,
            Tensor? weight = null, LossNormalizer? normalizer = null)
            => BoxIoU.Compute(BoxIoUKind.Distance, boxes1, boxes2, reduction, eps, weight, normalizer);
    }

    /// <summary>
    /// Distance IoU (DIoU) loss as a module, reducing to the Mean by default like the other loss modules:
    /// ℓ = 1 − I/(U + ε) + d²/(c² + ε), with I the intersection's area (0 unless both of its sides are positive),
    /// U = A₁ + A₂ − I the union's, d the distance between the boxes' centres and c the diagonal of the smallest box enclosing
    /// both. ε enters both denominators (TorchVision .NET 0.107 ignores the eps it is given and always uses 10⁻⁷).
    /// Computed as <see cref="functional.distance_box_iou_loss"/> computes it.
    /// See <see href="https://pytorch.org/vision/stable/generated/torchvision.ops.distance_box_iou_loss.html">torchvision.ops.distance_box_iou_loss</see>.
    /// </summary>
    public sealed class DistanceBoxIoULoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <summary>Creates the loss. Throws <see cref="System.ArgumentOutOfRangeException"/> for a negative, infinite or NaN ε.</summary>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        /// <param name="eps">ε ≥ 0 (default 10⁻⁷).</param>
        public DistanceBoxIoULoss(nn.Reduction reduction = nn.Reduction.Mean, double eps = 1e-7) : base(reduction)
        {
            BoxIoU.CheckEps(eps);
            this.eps = eps;
        }

        /// <summary>ε, which keeps the denominators away from 0.</summary>
        public double eps { get; }

        /// <summary>The DIoU loss of <paramref name="boxes1"/> against <paramref name="boxes2"/>, reduced as configured.</summary>
        /// <param name="boxes1">First boxes (usually the predictions), [..., 4].</param>
        /// <param name="boxes2">Second boxes (usually the targets), of boxes1's shape.</param>
        /// <returns>A new tensor.</returns>
        public override Tensor forward(Tensor boxes1, Tensor boxes2)
            => BoxIoU.Compute(BoxIoUKind.Distance, boxes1, boxes2, reduction, eps, null, null);

        /// <summary>
        /// The weighted DIoU loss: reduce(weight · ℓ), Mean dividing by <paramref name="normalizer"/> when given instead of the box count.
        /// </summary>
        /// <param name="boxes1">First boxes (usually the predictions), [..., 4].</param>
        /// <param name="boxes2">Second boxes (usually the targets), of boxes1's shape.</param>
        /// <param name="weight">Per-box weights broadcastable to the loss, or null.</param>
        /// <param name="normalizer">Divisor of the summed loss for Mean (a number or a 0-d tensor), or null for the box count.</param>
        /// <returns>A new tensor.</returns>
        public Tensor forward(Tensor boxes1, Tensor boxes2, Tensor? weight, LossNormalizer? normalizer = null)
            => BoxIoU.Compute(BoxIoUKind.Distance, boxes1, boxes2, reduction, eps, weight, normalizer);
    }
}
