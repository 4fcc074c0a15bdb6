using System;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Benchmarks
{
    /// <summary>Which box IoU loss a benchmark runs.</summary>
    public enum BoxLossKind
    {
        /// <summary>generalized_box_iou_loss.</summary>
        GIoU,
        /// <summary>distance_box_iou_loss.</summary>
        DIoU,
        /// <summary>complete_box_iou_loss.</summary>
        CIoU,
    }

    /// <summary>The implementations of a box IoU loss compared side by side.</summary>
    public enum BoxMethod
    {
        /// <summary>TorchVision .NET 0.107's <c>torchvision.ops.*_box_iou_loss</c> (the baseline).</summary>
        TorchVision,
        /// <summary>TorchLosses' <c>functional.*_box_iou_loss</c> on contiguous boxes: the fused CPU form.</summary>
        Ours,
        /// <summary>TorchLosses on a strided view of the same boxes: its composed ops (torchvision's ops, GC-safe).</summary>
        OursComposed,
    }

    /// <summary>
    /// One box-loss case: N random valid float32 box pairs [N, 4] on the CPU (mostly overlapping, some disjoint), Mean,
    /// forward and backward (<c>torch.autograd.grad</c> with respect to the first boxes) inside one dispose scope per call.
    /// The benchmark's own Scalars are explicit; TorchVision's loss converts numbers implicitly inside (that is its cost).
    /// </summary>
    public sealed class BoxIoUCase : IDisposable
    {
        private readonly BoxLossKind kind;
        private readonly Tensor boxes1;
        private readonly Tensor boxes2;
        private readonly Tensor strided1;
        private readonly Tensor strided2;

        /// <summary>Creates the boxes: centres in [0, 100)², sides in [1, 41); the second box moved by up to ±30 and resized.</summary>
        public BoxIoUCase(BoxLossKind kind, long count, long seed = 42)
        {
            this.kind = kind;
            torch.manual_seed(seed);
            using var scope = torch.NewDisposeScope();
            using var hundred = 100.0.ToScalar();
            using var forty = 40.0.ToScalar();
            using var sixty = 60.0.ToScalar();
            using var one = 1.0.ToScalar();
            using var half = 0.5.ToScalar();
            var centre = torch.rand(count, 2).mul(hundred);
            var size = torch.rand(count, 2).mul(forty).add(one, one);
            var moved = centre.add(torch.rand(count, 2).sub(half).mul(sixty), one);
            var resized = size.mul(torch.rand(count, 2).add(half, one));
            boxes1 = torch.cat(new[] { centre.sub(size.mul(half)), centre.add(size.mul(half), one) }, 1).requires_grad_(true).MoveToOuterDisposeScope();
            boxes2 = torch.cat(new[] { moved.sub(resized.mul(half)), moved.add(resized.mul(half), one) }, 1).MoveToOuterDisposeScope();
            // The same values through a column-major copy: [N, 4] views that are not contiguous.
            strided1 = boxes1.detach().t().contiguous().t().requires_grad_(true).MoveToOuterDisposeScope();
            strided2 = boxes2.t().contiguous().t().MoveToOuterDisposeScope();
        }

        /// <summary>Runs one forward and backward of <paramref name="method"/>.</summary>
        public void Run(BoxMethod method)
        {
            using var scope = torch.NewDisposeScope();
            var (first, second) = method == BoxMethod.OursComposed ? (strided1, strided2) : (boxes1, boxes2);
            var loss = method == BoxMethod.TorchVision ? TorchVision(first, second) : Ours(first, second);
            torch.autograd.grad(new[] { loss }, new[] { first });
        }

        private Tensor Ours(Tensor first, Tensor second) => kind switch
        {
            BoxLossKind.GIoU => functional.generalized_box_iou_loss(first, second, nn.Reduction.Mean),
            BoxLossKind.DIoU => functional.distance_box_iou_loss(first, second, nn.Reduction.Mean),
            _ => functional.complete_box_iou_loss(first, second, nn.Reduction.Mean),
        };

#pragma warning disable RS0030 // the baseline: TorchVision .NET's losses as users call them
        private Tensor TorchVision(Tensor first, Tensor second) => kind switch
        {
            BoxLossKind.GIoU => torchvision.ops.generalized_box_iou_loss(first, second, nn.Reduction.Mean),
            BoxLossKind.DIoU => torchvision.ops.distance_box_iou_loss(first, second, nn.Reduction.Mean),
            _ => torchvision.ops.complete_box_iou_loss(first, second, nn.Reduction.Mean),
        };
#pragma warning restore RS0030

        /// <inheritdoc/>
        public void Dispose()
        {
            boxes1.Dispose();
            boxes2.Dispose();
            strided1.Dispose();
            strided2.Dispose();
        }
    }
}
