using System;
using TorchLosses.Engine;
using TorchLosses.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>Which box IoU loss a call computes.</summary>
    internal enum BoxIoUKind
    {
        /// <summary>GIoU: 1 − IoU + (C − U)/(C + ε).</summary>
        Generalized,

        /// <summary>DIoU: 1 − IoU + d²/(c² + ε).</summary>
        Distance,

        /// <summary>CIoU: DIoU + α·v.</summary>
        Complete,
    }

    /// <summary>
    /// Everything one call of a box IoU loss needs besides its tensors; travels through <c>apply(...)</c> and the autograd
    /// context, never through fields (TorchSharp keeps one static instance of each autograd function type).
    /// </summary>
    /// <param name="Kind">GIoU, DIoU or CIoU.</param>
    /// <param name="Eps">ε as given (a double, rounded to the dtype where it meets a tensor, as a libtorch Scalar is).</param>
    /// <param name="Reduction">None, Mean or Sum.</param>
    /// <param name="Normalizer">For Mean: the divisor in place of the box count (a number, or a 0-d tensor of the loss's dtype).</param>
    /// <param name="LossShape">The shape of the elementwise loss: the boxes' shape without its last dimension.</param>
    /// <param name="WeightShape">The weight's shape, when there is a weight.</param>
    /// <param name="Boxes1RequiresGrad">Recorded in forward: TorchSharp has no <c>needs_input_grad</c>.</param>
    /// <param name="Boxes2RequiresGrad">Recorded in forward.</param>
    /// <param name="WeightRequiresGrad">Recorded in forward.</param>
    /// <param name="BackwardFault">Tests only: runs at the start of backward.</param>
    internal sealed record BoxIoUCall(
        BoxIoUKind Kind,
        double Eps,
        nn.Reduction Reduction,
        LossNormalizer? Normalizer,
        long[] LossShape,
        long[]? WeightShape,
        bool Boxes1RequiresGrad,
        bool Boxes2RequiresGrad,
        bool WeightRequiresGrad,
        Action? BackwardFault)
    {
        /// <summary>The number of box pairs (elements of the loss).</summary>
        public long Count => Broadcasting.ElementCount(LossShape);

        /// <summary>What Mean divides the summed loss by, as a number: the normaliser or the box count; null for a tensor normaliser.</summary>
        public double? NumericDivisor => Normalizer is { } normalizer ? normalizer.Number : Count;

        /// <summary>Whether the weight has the loss's shape, so that the fused pass multiplies it in.</summary>
        public bool WeightHasLossShape => WeightShape is { } shape && Broadcasting.Same(shape, LossShape);
    }

    /// <summary>
    /// The box IoU losses (GIoU, DIoU, CIoU) of torchvision, computed as torchvision computes them, in two forms:
    /// <list type="bullet">
    /// <item>composed TorchSharp ops, the same ops in the same order as torchvision's Python source (any device, any
    /// floating dtype, strided tensors), differentiated by autograd to any order;</item>
    /// <item>on the CPU in float32 and float64 with contiguous boxes, one fused pass per quantity (<see cref="BoxIoUKernel"/>)
    /// inside one autograd node (<see cref="BoxIoUFunction"/>) with an analytic first derivative; its second order comes
    /// from the composed ops.</item>
    /// </list>
    /// Shared with torchvision: boxes are (x1, y1, x2, y2) in the last dimension; boxes that are not float32 or float64
    /// (integers, float16, bfloat16) are converted to float32 and two float dtypes meet in float64; the intersection is
    /// counted only where both of its sides are positive; CIoU's α is a constant of the graph; Mean of no boxes is 0.
    /// Then weight and reduction as every loss of this library: loss = reduce(weight · ℓ), Mean dividing by the box count or
    /// by the normaliser.
    /// </summary>
    internal static class BoxIoU
    {
        /// <summary>The loss of a call: a new tensor, 0-d for Mean and Sum, the boxes' shape without the last dimension for None.</summary>
        /// <param name="kind">GIoU, DIoU or CIoU.</param>
        /// <param name="boxes1">First boxes, [..., 4].</param>
        /// <param name="boxes2">Second boxes, of boxes1's shape.</param>
        /// <param name="reduction">None, Mean or Sum.</param>
        /// <param name="eps">ε ≥ 0.</param>
        /// <param name="weight">Per-box weights broadcastable to the loss, or null.</param>
        /// <param name="normalizer">For Mean: the divisor in place of the box count, or null.</param>
        /// <param name="composedOnly">Tests only: the composed ops even where the fused form applies.</param>
        /// <param name="backwardFault">Tests only: runs at the start of the fused node's backward.</param>
        public static Tensor Compute(BoxIoUKind kind, Tensor boxes1, Tensor boxes2, nn.Reduction reduction, double eps,
            Tensor? weight, LossNormalizer? normalizer, bool composedOnly = false, Action? backwardFault = null)
        {
            if (boxes1 is null) throw new ArgumentNullException(nameof(boxes1));
            if (boxes2 is null) throw new ArgumentNullException(nameof(boxes2));
            CheckEps(eps);
            CheckReduction(reduction);
            var shape = CheckBoxes(boxes1, nameof(boxes1));
            var shape2 = CheckBoxes(boxes2, nameof(boxes2));
            ArgumentChecks.SameDevice(boxes1, boxes2, nameof(boxes2));
            if (!Broadcasting.Same(shape, shape2))
                throw new ArgumentException(
                    $"boxes1 has shape {Broadcasting.Format(shape)} but boxes2 has shape {Broadcasting.Format(shape2)}; the losses compare " +
                    "boxes pair by pair, so give both the same shape [..., 4].", nameof(boxes2));
            var lossShape = shape[..^1];
            long[]? weightShape = null;
            if (weight is not null)
            {
                ArgumentChecks.FloatingPoint(weight, nameof(weight));
                ArgumentChecks.SameDevice(boxes1, weight, nameof(weight));
                weightShape = Broadcasting.ShapeOf(weight);
                if (!Broadcasting.BroadcastsTo(weightShape, lossShape))
                    throw new ArgumentException(
                        $"weight of shape {Broadcasting.Format(weightShape)} does not broadcast to the loss of shape {Broadcasting.Format(lossShape)} " +
                        "(one value per box: the boxes' shape without its last dimension); give it that shape or one that broadcasts to it.",
                        nameof(weight));
            }

            using var scope = torch.NewDisposeScope();
            var dtype = ComputeDtype(boxes1.dtype, boxes2.dtype);
            // Conversions are differentiable: a float16 box receives its gradient in float16.
            var first = boxes1.dtype == dtype ? boxes1 : boxes1.to(dtype);
            var second = boxes2.dtype == dtype ? boxes2 : boxes2.to(dtype);
            var weights = weight is null || weight.dtype == dtype ? weight : weight.to(dtype);
            var checkedNormalizer = ArgumentChecks.Normalizer(normalizer, reduction, boxes1, dtype);

            bool gradEnabled = torch.is_grad_enabled();
            var call = new BoxIoUCall(kind, eps, reduction, checkedNormalizer, lossShape, weightShape,
                Boxes1RequiresGrad: gradEnabled && first.requires_grad,
                Boxes2RequiresGrad: gradEnabled && second.requires_grad,
                WeightRequiresGrad: gradEnabled && weights is not null && weights.requires_grad,
                BackwardFault: backwardFault);

            Tensor result;
            if (composedOnly || !Fuses(first, second, call.Count))
                result = Reduce(Composed(kind, first, second, eps, weights), call);
            else if (call.Boxes1RequiresGrad || call.Boxes2RequiresGrad || call.WeightRequiresGrad)
                result = BoxIoUFunction.Apply(first, second, weights, call);
            else
                result = FusedForward(first, second, weights, call);
            return result.MoveToOuterDisposeScope();
        }

        /// <summary>The dtype torchvision computes in: float32 and float64 stay, anything else becomes float32; two dtypes meet in float64.</summary>
        public static ScalarType ComputeDtype(ScalarType first, ScalarType second)
        {
            static ScalarType Upcast(ScalarType dtype) => dtype is ScalarType.Float32 or ScalarType.Float64 ? dtype : ScalarType.Float32;
            return Upcast(first) == ScalarType.Float64 || Upcast(second) == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        }

        /// <summary>
        /// Whether the fused CPU form computes the call: CPU, float32 or float64, both contiguous, at least one box, and small
        /// enough for a <c>Span</c>. Reads device, dtype and strides only.
        /// </summary>
        private static bool Fuses(Tensor boxes1, Tensor boxes2, long count) =>
            boxes1.device_type == DeviceType.CPU && count > 0
            && count * 4 <= int.MaxValue / (boxes1.dtype == ScalarType.Float64 ? 8 : 4)
            && boxes1.is_contiguous() && boxes2.is_contiguous();

        /// <summary>reduce(weight · ℓ) through the fused pass, without autograd.</summary>
        public static Tensor FusedForward(Tensor boxes1, Tensor boxes2, Tensor? weight, BoxIoUCall call) =>
            ReduceFused(FusedValues(boxes1, boxes2, weight, call), call);

        /// <summary>weight · ℓ per box through the fused pass (the weight fused when it has the loss's shape and is contiguous).</summary>
        public static unsafe Tensor FusedValues(Tensor boxes1, Tensor boxes2, Tensor? weight, BoxIoUCall call)
        {
            var output = torch.empty(call.LossShape, boxes1.dtype);
            var fused = weight is not null && call.WeightHasLossShape && weight.is_contiguous() ? weight : null;
            long count = call.Count;
            fixed (byte* a = boxes1.bytes, b = boxes2.bytes, w = fused is null ? default : fused.bytes, o = output.bytes)
            {
                if (boxes1.dtype == ScalarType.Float32)
                    BoxIoUKernel.Values(call.Kind, (float)call.Eps, (float*)a, (float*)b, (float*)w, (float*)o, count);
                else
                    BoxIoUKernel.Values(call.Kind, call.Eps, (double*)a, (double*)b, (double*)w, (double*)o, count);
            }
            if (weight is not null && fused is null)
                output.mul_(weight);
            return output;
        }

        /// <summary>The fused form's reduction: libtorch's sum, and Mean's division done as libtorch's CPU mean does it.</summary>
        public static Tensor ReduceFused(Tensor elementwise, BoxIoUCall call) =>
            VectorizedForm.Reduce(elementwise, call.Reduction, call.Normalizer, call.NumericDivisor);

        /// <summary>None keeps the elementwise loss; Sum adds it up; Mean divides the sum by the box count (0 for no boxes, as torchvision) or the normaliser.</summary>
        public static Tensor Reduce(Tensor elementwise, BoxIoUCall call)
        {
            if (call.Reduction == nn.Reduction.Mean && call.Count == 0 && call.Normalizer is null)
                return elementwise.sum(); // torchvision: 0.0 * loss.sum(); the sum of nothing is 0 (and keeps the graph)
            return Reductions.Reduce(elementwise, call.Reduction, call.Normalizer);
        }

        /// <summary>
        /// weight · ℓ per box as composed TorchSharp ops: torchvision's operations in torchvision's order, so the same bits as
        /// TorchVision .NET (which composes the same ops) and autograd's derivatives of any order. Recorded when grad mode is on.
        /// </summary>
        public static Tensor Composed(BoxIoUKind kind, Tensor boxes1, Tensor boxes2, double eps, Tensor? weight)
        {
            var loss = kind switch
            {
                BoxIoUKind.Generalized => ComposedGeneralized(boxes1, boxes2, eps),
                BoxIoUKind.Distance => ComposedDistance(boxes1, boxes2, eps, out _),
                _ => ComposedComplete(boxes1, boxes2, eps),
            };
            return weight is null ? loss : loss.mul(weight);
        }

        /// <summary>The four coordinates of the last dimension: x1, y1, x2, y2.</summary>
        private static (Tensor X1, Tensor Y1, Tensor X2, Tensor Y2) Unbind(Tensor boxes)
        {
            var c = boxes.unbind(-1);
            return (c[0], c[1], c[2], c[3]);
        }

        /// <summary>Intersection I (counted where both sides are positive, as torchvision's mask) and union U = A1 + A2 − I.</summary>
        private static (Tensor Intersection, Tensor Union) IntersectionUnion(Tensor boxes1, Tensor boxes2)
        {
            using var one = 1.ToScalar();
            var (x1, y1, x2, y2) = Unbind(boxes1);
            var (x1g, y1g, x2g, y2g) = Unbind(boxes2);
            var xk1 = torch.maximum(x1, x1g);
            var yk1 = torch.maximum(y1, y1g);
            var xk2 = torch.minimum(x2, x2g);
            var yk2 = torch.minimum(y2, y2g);
            var overlaps = yk2.gt(yk1).logical_and_(xk2.gt(xk1));
            var product = xk2.sub(xk1).mul(yk2.sub(yk1));
            // torchvision writes the product where the mask holds (index_put); where() gives the same values and gradients
            // without the host sync of boolean indexing.
            var intersection = torch.where(overlaps, product, torch.zeros_like(product));
            var union = x2.sub(x1).mul(y2.sub(y1)).add(x2g.sub(x1g).mul(y2g.sub(y1g)), one).sub(intersection);
            return (intersection, union);
        }

        /// <summary>The smallest enclosing box's sides: max(x2, x2g) − min(x1, x1g) and max(y2, y2g) − min(y1, y1g).</summary>
        private static (Tensor Width, Tensor Height) Enclosing((Tensor X1, Tensor Y1, Tensor X2, Tensor Y2) p, (Tensor X1, Tensor Y1, Tensor X2, Tensor Y2) g) =>
            (torch.maximum(p.X2, g.X2).sub(torch.minimum(p.X1, g.X1)), torch.maximum(p.Y2, g.Y2).sub(torch.minimum(p.Y1, g.Y1)));

        private static Tensor ComposedGeneralized(Tensor boxes1, Tensor boxes2, double eps)
        {
            using var one = 1.ToScalar();
            using var epsilon = eps.ToScalar();
            var (intersection, union) = IntersectionUnion(boxes1, boxes2);
            var iou = intersection.div(union.add(epsilon, one));
            var (width, height) = Enclosing(Unbind(boxes1), Unbind(boxes2));
            var area = width.mul(height);
            var giou = iou.sub(area.sub(union).div(area.add(epsilon, one)));
            return giou.neg().add_(one, one);
        }

        private static Tensor ComposedDistance(Tensor boxes1, Tensor boxes2, double eps, out Tensor iou)
        {
            using var one = 1.ToScalar();
            using var two = 2.ToScalar();
            using var epsilon = eps.ToScalar();
            var (intersection, union) = IntersectionUnion(boxes1, boxes2);
            iou = intersection.div(union.add(epsilon, one));
            // One unbind of each for the enclosing box and the centres, as torchvision's _diou_iou_loss (so that autograd sums
            // the coordinates' gradients in torchvision's order).
            var p = Unbind(boxes1);
            var g = Unbind(boxes2);
            var (width, height) = Enclosing(p, g);
            var diagonal = width.pow(two).add(height.pow(two), one).add(epsilon, one);
            var (x1, y1, x2, y2) = p;
            var (x1g, y1g, x2g, y2g) = g;
            var dx = x2.add(x1, one).div(two).sub(x1g.add(x2g, one).div(two));
            var dy = y2.add(y1, one).div(two).sub(y1g.add(y2g, one).div(two));
            var centres = dx.pow(two).add(dy.pow(two), one);
            return iou.neg().add_(one, one).add_(centres.div(diagonal), one);
        }

        private static Tensor ComposedComplete(Tensor boxes1, Tensor boxes2, double eps)
        {
            using var one = 1.ToScalar();
            using var two = 2.ToScalar();
            using var factor = BoxIoUKernel.AspectFactor.ToScalar();
            using var epsilon = eps.ToScalar();
            // torchvision's CIoU calls its DIoU part with the default ε: ε enters CIoU through α only.
            var distance = ComposedDistance(boxes1, boxes2, BoxIoUKernel.CompleteInnerEps, out var iou);
            var (x1, y1, x2, y2) = Unbind(boxes1);
            var (x1g, y1g, x2g, y2g) = Unbind(boxes2);
            var anglePredicted = x2.sub(x1).div(y2.sub(y1)).atan();
            var angleTarget = x2g.sub(x1g).div(y2g.sub(y1g)).atan();
            var v = angleTarget.sub(anglePredicted).pow(two).mul(factor);
            Tensor alpha;
            using (torch.no_grad())
                alpha = v.div(iou.neg().add(one, one).add(v, one).add(epsilon, one));
            return distance.add(alpha.mul(v), one);
        }

        /// <summary>Throws unless <paramref name="boxes"/> is a real tensor of shape [..., 4]; returns its shape.</summary>
        private static long[] CheckBoxes(Tensor boxes, string name)
        {
            var shape = Broadcasting.ShapeOf(boxes);
            if (shape.Length == 0 || shape[^1] != 4)
                throw new ArgumentException(
                    $"{name} has shape {Broadcasting.Format(shape)}; boxes are (x1, y1, x2, y2) in the last dimension, shape [N, 4] or [..., 4].", name);
            if (boxes.is_complex())
                throw new ArgumentException($"{name} has dtype {boxes.dtype}; boxes need real coordinates (float32 or float64; integers are converted to float32).", name);
            return shape;
        }

        /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <c>eps</c> unless it is finite and ≥ 0.</summary>
        public static void CheckEps(double eps)
        {
            if (!(eps >= 0) || double.IsInfinity(eps))
                throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be a finite number ≥ 0 (torchvision's default is 1e-7).");
        }

        private static void CheckReduction(nn.Reduction reduction)
        {
            if (reduction is not (nn.Reduction.None or nn.Reduction.Mean or nn.Reduction.Sum))
                throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "reduction must be None, Mean or Sum.");
        }
    }
}
