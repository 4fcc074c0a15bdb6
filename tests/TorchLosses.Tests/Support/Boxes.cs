using System;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Support
{
    /// <summary>Box pairs for the IoU loss tests, and an independent host reference of torchvision's formulas in double.</summary>
    internal static class Boxes
    {
        /// <summary>
        /// <paramref name="count"/> valid (x1, y1, x2, y2) box pairs, built on the host: first boxes with centres in [0, 100)² and
        /// sides in [1, 41), second boxes with the centre moved by up to ±30 and each side scaled by e^[−0.7, 0.7): mostly
        /// overlapping pairs, some nested, some disjoint. No coordinate of one box equals the other's (no ties of min/max).
        /// </summary>
        public static (Tensor First, Tensor Second) Random(long count, ScalarType dtype, int seed)
        {
            var random = new Random(seed);
            var first = new double[count * 4];
            var second = new double[count * 4];
            for (long i = 0; i < count; i++)
            {
                double cx = 100 * random.NextDouble(), cy = 100 * random.NextDouble();
                double w = 1 + 40 * random.NextDouble(), h = 1 + 40 * random.NextDouble();
                double gx = cx + 60 * (random.NextDouble() - 0.5), gy = cy + 60 * (random.NextDouble() - 0.5);
                double gw = w * Math.Exp(1.4 * (random.NextDouble() - 0.5)), gh = h * Math.Exp(1.4 * (random.NextDouble() - 0.5));
                first[4 * i] = cx - w / 2; first[4 * i + 1] = cy - h / 2; first[4 * i + 2] = cx + w / 2; first[4 * i + 3] = cy + h / 2;
                second[4 * i] = gx - gw / 2; second[4 * i + 1] = gy - gh / 2; second[4 * i + 2] = gx + gw / 2; second[4 * i + 3] = gy + gh / 2;
            }
            return (tensor(first, new[] { count, 4L }, dtype), tensor(second, new[] { count, 4L }, dtype));
        }

        /// <summary>
        /// torchvision's loss of one pair in double, written from its Python source (giou_loss.py, diou_loss.py, ciou_loss.py),
        /// independently of the library: I counted where both sides are positive, U = A1 + A2 − I, IoU = I/(U + ε);
        /// GIoU 1 − IoU + (C − U)/(C + ε); DIoU 1 − IoU + d²/(c² + ε); CIoU the DIoU with ε = 1e-7 plus α·v,
        /// v = 4/π²·(atan(w2/h2) − atan(w1/h1))², α = v/(1 − IoU + v + ε).
        /// </summary>
        public static double Reference(BoxIoUKind kind, ReadOnlySpan<double> a, ReadOnlySpan<double> b, double eps)
        {
            double iw = Math.Min(a[2], b[2]) - Math.Max(a[0], b[0]);
            double ih = Math.Min(a[3], b[3]) - Math.Max(a[1], b[1]);
            double intersection = iw > 0 && ih > 0 ? iw * ih : 0;
            double union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection;
            double cw = Math.Max(a[2], b[2]) - Math.Min(a[0], b[0]);
            double ch = Math.Max(a[3], b[3]) - Math.Min(a[1], b[1]);
            if (kind == BoxIoUKind.Generalized)
                return 1 - intersection / (union + eps) + (cw * ch - union) / (cw * ch + eps);
            double inner = kind == BoxIoUKind.Complete ? 1e-7 : eps;
            double iou = intersection / (union + inner);
            double dx = (a[0] + a[2]) / 2 - (b[0] + b[2]) / 2, dy = (a[1] + a[3]) / 2 - (b[1] + b[3]) / 2;
            double distance = 1 - iou + (dx * dx + dy * dy) / (cw * cw + ch * ch + inner);
            if (kind == BoxIoUKind.Distance)
                return distance;
            double angle = Math.Atan((b[2] - b[0]) / (b[3] - b[1])) - Math.Atan((a[2] - a[0]) / (a[3] - a[1]));
            double v = 4 / (Math.PI * Math.PI) * angle * angle;
            double alpha = v / (1 - iou + v + eps);
            return distance + alpha * v;
        }

        /// <summary>TorchVision .NET 0.107's loss (tests only: it converts numbers to Scalars implicitly).</summary>
        public static Tensor TorchVision(BoxIoUKind kind, Tensor boxes1, Tensor boxes2, nn.Reduction reduction, double eps = 1e-7) => kind switch
        {
            BoxIoUKind.Generalized => torchvision.ops.generalized_box_iou_loss(boxes1, boxes2, reduction, eps),
            BoxIoUKind.Distance => torchvision.ops.distance_box_iou_loss(boxes1, boxes2, reduction, eps),
            _ => torchvision.ops.complete_box_iou_loss(boxes1, boxes2, reduction, eps),
        };

        /// <summary>This library's public functional form.</summary>
        public static Tensor Ours(BoxIoUKind kind, Tensor boxes1, Tensor boxes2, nn.Reduction reduction = nn.Reduction.None, double eps = 1e-7,
            Tensor? weight = null, LossNormalizer? normalizer = null) => kind switch
        {
            BoxIoUKind.Generalized => functional.generalized_box_iou_loss(boxes1, boxes2, reduction, eps, weight, normalizer),
            BoxIoUKind.Distance => functional.distance_box_iou_loss(boxes1, boxes2, reduction, eps, weight, normalizer),
            _ => functional.complete_box_iou_loss(boxes1, boxes2, reduction, eps, weight, normalizer),
        };
    }
}
