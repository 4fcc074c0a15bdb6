using TorchSharp;
using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>
    /// Box arithmetic on [N, 4] xyxy tensors with explicit, kept-alive Scalars. TorchVision 0.107's box_convert and box_iou
    /// compute the same thing, but through implicit number→Scalar conversions (and TorchSharp's <c>Tensor.add(Tensor)</c>,
    /// which makes an implicit alpha = 1): under GC pressure that crashed the outlier experiment after 50 of 60 runs
    /// ("Expected false to be true" in toFloat, from box_convert). Tests check these against TorchVision's functions.
    /// </summary>
    internal static class BoxOps
    {
        /// <summary>Centre x, centre y, width and height of each box (torchvision's box_convert xyxy → cxcywh, as four [N] tensors).</summary>
        public static (Tensor Cx, Tensor Cy, Tensor W, Tensor H) CenterSize(Tensor xyxy)
        {
            using var scope = NewDisposeScope();
            using var half = 0.5.ToScalar();
            using var one = 1.0.ToScalar();
            Tensor x1 = xyxy.select(1, 0), y1 = xyxy.select(1, 1), x2 = xyxy.select(1, 2), y2 = xyxy.select(1, 3);
            var cx = x1.add(x2, one).mul(half);
            var cy = y1.add(y2, one).mul(half);
            var w = x2.sub(x1);
            var h = y2.sub(y1);
            return (cx.MoveToOuterDisposeScope(), cy.MoveToOuterDisposeScope(), w.MoveToOuterDisposeScope(), h.MoveToOuterDisposeScope());
        }

        /// <summary>Areas [N] of boxes [N, 4] in (x1, y1, x2, y2) form; the caller's dispose scope owns the result.</summary>
        private static Tensor Area(Tensor boxes) =>
            boxes.select(1, 2).sub(boxes.select(1, 0)).mul(boxes.select(1, 3).sub(boxes.select(1, 1)));

        /// <summary>Pairwise IoU [N, M] of <paramref name="a"/> [N, 4] and <paramref name="b"/> [M, 4] (torchvision's box_iou).</summary>
        public static Tensor box_iou(Tensor a, Tensor b)
        {
            using var scope = NewDisposeScope();
            using var zero = 0.0.ToScalar();
            using var one = 1.0.ToScalar();
            var areaA = Area(a);
            var areaB = Area(b);
            var lt = maximum(a.narrow(1, 0, 2).unsqueeze(1), b.narrow(1, 0, 2).unsqueeze(0));   // [N, M, 2]
            var rb = minimum(a.narrow(1, 2, 2).unsqueeze(1), b.narrow(1, 2, 2).unsqueeze(0));
            var wh = rb.sub(lt).clamp_min(zero);
            var inter = wh.select(2, 0).mul(wh.select(2, 1));
            var union = areaA.unsqueeze(1).add(areaB.unsqueeze(0), one).sub(inter);
            return inter.div(union).MoveToOuterDisposeScope();
        }

        /// <summary>IoU of box i of <paramref name="a"/> with box i of <paramref name="b"/> (both [N, 4]).</summary>
        public static Tensor paired_iou(Tensor a, Tensor b)
        {
            using var scope = NewDisposeScope();
            using var zero = 0.0.ToScalar();
            using var one = 1.0.ToScalar();
            var areaA = Area(a);
            var areaB = Area(b);
            var lt = maximum(a.narrow(1, 0, 2), b.narrow(1, 0, 2));
            var rb = minimum(a.narrow(1, 2, 2), b.narrow(1, 2, 2));
            var wh = rb.sub(lt).clamp_min(zero);
            var inter = wh.select(1, 0).mul(wh.select(1, 1));
            return inter.div(areaA.add(areaB, one).sub(inter)).MoveToOuterDisposeScope();
        }
    }
}
