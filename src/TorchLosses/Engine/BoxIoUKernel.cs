using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using TorchSharp;

namespace TorchLosses.Engine
{
    /// <summary>
    /// The fused CPU form of the box IoU losses (<see cref="BoxIoU"/>): one pass over contiguous float32 or float64 boxes,
    /// four coordinates (x1, y1, x2, y2) per box, for the loss of each pair, and one pass for the gradient of each pair
    /// with respect to both boxes (the analytic derivative of the same formula). The forward pass performs torchvision's
    /// operations in torchvision's order, each rounded once, so its values are libtorch's bits except for CIoU's arctangent
    /// (the C runtime's here, SLEEF's vectorised one in libtorch: they may differ in the last bit). The backward pass applies
    /// the chain rule as autograd does, ties of min and max included (the gradient is split in half, as libtorch's
    /// <c>maximum</c> and <c>minimum</c> split it), but sums the terms in another order, so its values differ from
    /// autograd's by a few rounding errors. Large batches are split into one range of boxes per libtorch thread on the
    /// .NET thread pool. Callers keep every tensor behind these pointers alive for the duration of the call.
    /// </summary>
    internal static unsafe class BoxIoUKernel
    {
        /// <summary>Below this many boxes per thread a pass runs on the calling thread alone.</summary>
        private const long MinimumBoxesPerThread = 1 << 14;

        /// <summary>4/π², CIoU's aspect-ratio factor, as torchvision computes it: <c>4 / (torch.pi ** 2)</c> in double.</summary>
        public static readonly double AspectFactor = 4 / Math.Pow(Math.PI, 2);

        /// <summary>The eps of CIoU's IoU and diagonal: torchvision's default, which its CIoU uses whatever eps it was given.</summary>
        public const double CompleteInnerEps = 1e-7;

        /// <summary>output[i] = ℓ(boxes1[i], boxes2[i]), times weight[i] when <paramref name="weight"/> is not null.</summary>
        public static void Values<T>(BoxIoUKind kind, T eps, T* boxes1, T* boxes2, T* weight, T* output, long count)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            nint a = (nint)boxes1, b = (nint)boxes2, w = (nint)weight, o = (nint)output;
            InRanges(count, (start, length) => ValuesRange(kind, eps, (T*)a + 4 * start, (T*)b + 4 * start,
                w == 0 ? null : (T*)w + start, (T*)o + start, length));
        }

        /// <summary>
        /// grad1[i] = s_i·∂ℓ/∂boxes1[i] and grad2[i] = s_i·∂ℓ/∂boxes2[i] (four values each), each written only when its pointer
        /// is not null. s_i is <paramref name="scale"/>, or scales[i] when <paramref name="scales"/> is not null.
        /// </summary>
        public static void Gradients<T>(BoxIoUKind kind, T eps, T* boxes1, T* boxes2, T scale, T* scales, T* grad1, T* grad2, long count)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            nint a = (nint)boxes1, b = (nint)boxes2, s = (nint)scales, g1 = (nint)grad1, g2 = (nint)grad2;
            InRanges(count, (start, length) => GradientsRange(kind, eps, (T*)a + 4 * start, (T*)b + 4 * start, scale,
                s == 0 ? null : (T*)s + start, g1 == 0 ? null : (T*)g1 + 4 * start, g2 == 0 ? null : (T*)g2 + 4 * start, length));
        }

        private static void InRanges(long count, Action<long, long> range)
        {
            long threads = Math.Min(torch.get_num_threads(), count / MinimumBoxesPerThread);
            if (threads <= 1)
            {
                range(0, count);
                return;
            }
            long size = (count + threads - 1) / threads;
            Parallel.For(0L, threads, part =>
            {
                long start = part * size;
                if (start < count)
                    range(start, Math.Min(size, count - start));
            });
        }

        /// <summary>The eight coordinates of a block of <see cref="Vector{T}.Count"/> box pairs, one vector per coordinate.</summary>
        private struct Block<T> where T : unmanaged, IFloatingPointIeee754<T>
        {
            public Vector<T> X1, Y1, X2, Y2, X1g, Y1g, X2g, Y2g;

            /// <summary>
            /// Boxes [start, start + count) of both tensors, transposed through <paramref name="buffer"/> (8 · Count values);
            /// lanes beyond <paramref name="count"/> hold zero boxes, whose results nobody reads.
            /// </summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Block<T> Load(T* boxes1, T* boxes2, long start, int count, T* buffer)
            {
                int lanes = Vector<T>.Count;
                if (count < lanes)
                    new Span<T>(buffer, 8 * lanes).Clear();
                for (int j = 0; j < count; j++)
                {
                    T* a = boxes1 + 4 * (start + j);
                    T* b = boxes2 + 4 * (start + j);
                    buffer[j] = a[0];
                    buffer[lanes + j] = a[1];
                    buffer[2 * lanes + j] = a[2];
                    buffer[3 * lanes + j] = a[3];
                    buffer[4 * lanes + j] = b[0];
                    buffer[5 * lanes + j] = b[1];
                    buffer[6 * lanes + j] = b[2];
                    buffer[7 * lanes + j] = b[3];
                }
                return new Block<T>
                {
                    X1 = Vector.Load(buffer), Y1 = Vector.Load(buffer + lanes), X2 = Vector.Load(buffer + 2 * lanes), Y2 = Vector.Load(buffer + 3 * lanes),
                    X1g = Vector.Load(buffer + 4 * lanes), Y1g = Vector.Load(buffer + 5 * lanes), X2g = Vector.Load(buffer + 6 * lanes), Y2g = Vector.Load(buffer + 7 * lanes),
                };
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the hot loop: optimised from the first call, not after tiering
        private static void ValuesRange<T>(BoxIoUKind kind, T eps, T* boxes1, T* boxes2, T* weight, T* output, long length)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int lanes = Vector<T>.Count;
            T* buffer = stackalloc T[8 * lanes];
            T* result = stackalloc T[lanes];
            T* angles = stackalloc T[2 * lanes];
            for (long start = 0; start < length; start += lanes)
            {
                int count = (int)Math.Min(lanes, length - start);
                var c = Block<T>.Load(boxes1, boxes2, start, count, buffer);
                Vector<T> loss = kind switch
                {
                    BoxIoUKind.Generalized => Generalized(c, new Vector<T>(eps)),
                    BoxIoUKind.Distance => Distance(c, new Vector<T>(eps), out _),
                    _ => Complete(c, eps, angles),
                };
                loss.Store(result);
                for (int j = 0; j < count; j++)
                    output[start + j] = weight == null ? result[j] : result[j] * weight[start + j];
            }
        }

        /// <summary>Intersection I (where both sides are positive) and union U = A1 + A2 − I, lane by lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (Vector<T> Intersection, Vector<T> Union) IntersectionUnion<T>(in Block<T> c) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var xk1 = Vector.Max(c.X1, c.X1g);
            var yk1 = Vector.Max(c.Y1, c.Y1g);
            var xk2 = Vector.Min(c.X2, c.X2g);
            var yk2 = Vector.Min(c.Y2, c.Y2g);
            var overlaps = Vector.GreaterThan(yk2, yk1) & Vector.GreaterThan(xk2, xk1);
            var intersection = Vector.ConditionalSelect(overlaps, (xk2 - xk1) * (yk2 - yk1), Vector<T>.Zero);
            var union = (c.X2 - c.X1) * (c.Y2 - c.Y1) + (c.X2g - c.X1g) * (c.Y2g - c.Y1g) - intersection;
            return (intersection, union);
        }

        /// <summary>GIoU: 1 − (I/(U + ε) − (C − U)/(C + ε)).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<T> Generalized<T>(in Block<T> c, Vector<T> eps) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (intersection, union) = IntersectionUnion(c);
            var iou = intersection / (union + eps);
            var enclosing = (Vector.Max(c.X2, c.X2g) - Vector.Min(c.X1, c.X1g)) * (Vector.Max(c.Y2, c.Y2g) - Vector.Min(c.Y1, c.Y1g));
            return Vector<T>.One - (iou - (enclosing - union) / (enclosing + eps));
        }

        /// <summary>DIoU: 1 − I/(U + ε) + d²/(c² + ε); also gives the IoU.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<T> Distance<T>(in Block<T> c, Vector<T> eps, out Vector<T> iou) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var half = new Vector<T>(T.CreateTruncating(0.5));
            var (intersection, union) = IntersectionUnion(c);
            iou = intersection / (union + eps);
            var wc = Vector.Max(c.X2, c.X2g) - Vector.Min(c.X1, c.X1g);
            var hc = Vector.Max(c.Y2, c.Y2g) - Vector.Min(c.Y1, c.Y1g);
            var diagonal = wc * wc + hc * hc + eps;
            var dx = (c.X2 + c.X1) * half - (c.X1g + c.X2g) * half;
            var dy = (c.Y2 + c.Y1) * half - (c.Y1g + c.Y2g) * half;
            return Vector<T>.One - iou + (dx * dx + dy * dy) / diagonal;
        }

        /// <summary>CIoU: the DIoU loss (with ε = 10⁻⁷) + α·v, v = 4/π²·(atan(w₂/h₂) − atan(w₁/h₁))², α = v/(1 − IoU + v + ε).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<T> Complete<T>(in Block<T> c, T eps, T* angles) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var distance = Distance(c, new Vector<T>(T.CreateTruncating(CompleteInnerEps)), out var iou);
            var angle = Angle(c, angles, out _, out _);
            var v = new Vector<T>(T.CreateTruncating(AspectFactor)) * (angle * angle);
            var alpha = v / (Vector<T>.One - iou + v + new Vector<T>(eps));
            return distance + alpha * v;
        }

        /// <summary>atan(w₂/h₂) − atan(w₁/h₁) (the arctangent lane by lane through <paramref name="buffer"/>, 2 · Count values); also the ratios.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<T> Angle<T>(in Block<T> c, T* buffer, out Vector<T> r1, out Vector<T> r2) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int lanes = Vector<T>.Count;
            r2 = (c.X2g - c.X1g) / (c.Y2g - c.Y1g);
            r1 = (c.X2 - c.X1) / (c.Y2 - c.Y1);
            r2.Store(buffer);
            r1.Store(buffer + lanes);
            for (int j = 0; j < 2 * lanes; j++)
                buffer[j] = T.Atan(buffer[j]);
            return Vector.Load(buffer) - Vector.Load(buffer + lanes);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void GradientsRange<T>(BoxIoUKind kind, T eps, T* boxes1, T* boxes2, T scale, T* scales, T* grad1, T* grad2, long length)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int lanes = Vector<T>.Count;
            T* buffer = stackalloc T[8 * lanes];
            T* factors = stackalloc T[lanes];
            T* angles = stackalloc T[2 * lanes];
            var uniform = new Vector<T>(scale);
            for (long start = 0; start < length; start += lanes)
            {
                int count = (int)Math.Min(lanes, length - start);
                var c = Block<T>.Load(boxes1, boxes2, start, count, buffer);
                Vector<T> s = uniform;
                if (scales != null)
                {
                    for (int j = 0; j < lanes; j++)
                        factors[j] = j < count ? scales[start + j] : T.Zero;
                    s = Vector.Load(factors);
                }
                var g = Gradient(kind, eps, c, s, angles);
                g.X1.Store(buffer); g.Y1.Store(buffer + lanes); g.X2.Store(buffer + 2 * lanes); g.Y2.Store(buffer + 3 * lanes);
                g.X1g.Store(buffer + 4 * lanes); g.Y1g.Store(buffer + 5 * lanes); g.X2g.Store(buffer + 6 * lanes); g.Y2g.Store(buffer + 7 * lanes);
                for (int j = 0; j < count; j++)
                {
                    if (grad1 != null)
                    {
                        T* o = grad1 + 4 * (start + j);
                        o[0] = buffer[j]; o[1] = buffer[lanes + j]; o[2] = buffer[2 * lanes + j]; o[3] = buffer[3 * lanes + j];
                    }
                    if (grad2 != null)
                    {
                        T* o = grad2 + 4 * (start + j);
                        o[0] = buffer[4 * lanes + j]; o[1] = buffer[5 * lanes + j]; o[2] = buffer[6 * lanes + j]; o[3] = buffer[7 * lanes + j];
                    }
                }
            }
        }

        /// <summary>
        /// s times the gradient of each pair's loss with respect to the eight coordinates: the chain rule of the forward
        /// formula, term by term as autograd applies it, lane by lane.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Block<T> Gradient<T>(BoxIoUKind kind, T eps, in Block<T> c, Vector<T> s, T* angles) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var half = new Vector<T>(T.CreateTruncating(0.5));
            var two = new Vector<T>(T.CreateTruncating(2));
            var epsilon = new Vector<T>(eps);
            var innerEps = kind == BoxIoUKind.Complete ? new Vector<T>(T.CreateTruncating(CompleteInnerEps)) : epsilon;

            var xk1 = Vector.Max(c.X1, c.X1g);
            var yk1 = Vector.Max(c.Y1, c.Y1g);
            var xk2 = Vector.Min(c.X2, c.X2g);
            var yk2 = Vector.Min(c.Y2, c.Y2g);
            var overlaps = Vector.GreaterThan(yk2, yk1) & Vector.GreaterThan(xk2, xk1);
            var wi = xk2 - xk1;
            var hi = yk2 - yk1;
            var intersection = Vector.ConditionalSelect(overlaps, wi * hi, Vector<T>.Zero);
            var w1 = c.X2 - c.X1;
            var h1 = c.Y2 - c.Y1;
            var w2 = c.X2g - c.X1g;
            var h2 = c.Y2g - c.Y1g;
            var union = w1 * h1 + w2 * h2 - intersection;
            var wc = Vector.Max(c.X2, c.X2g) - Vector.Min(c.X1, c.X1g);
            var hc = Vector.Max(c.Y2, c.Y2g) - Vector.Min(c.Y1, c.Y1g);
            var denominator = union + innerEps;
            var iou = intersection / denominator;

            var gIou = -s;
            Vector<T> gUnion, gWc, gHc, gW1 = Vector<T>.Zero, gH1 = Vector<T>.Zero, gW2 = Vector<T>.Zero, gH2 = Vector<T>.Zero, gDx = Vector<T>.Zero, gDy = Vector<T>.Zero;
            if (kind == BoxIoUKind.Generalized)
            {
                // ℓ = 1 − iou + (C − U)/(C + ε)
                var enclosing = wc * hc;
                var enclosingEps = enclosing + epsilon;
                var ratio = (enclosing - union) / enclosingEps;
                var gNumerator = s / enclosingEps;
                var gEnclosing = gNumerator - s * ratio / enclosingEps;
                gUnion = -gNumerator;
                gWc = gEnclosing * hc;
                gHc = gEnclosing * wc;
            }
            else
            {
                // ℓ = 1 − iou + D/Q (+ α·v for CIoU)
                gUnion = Vector<T>.Zero;
                var diagonal = wc * wc + hc * hc + innerEps;
                var dx = (c.X2 + c.X1) * half - (c.X1g + c.X2g) * half;
                var dy = (c.Y2 + c.Y1) * half - (c.Y1g + c.Y2g) * half;
                var centres = dx * dx + dy * dy;
                var gCentres = s / diagonal;
                var gDiagonal = -(s * (centres / diagonal)) / diagonal;
                gWc = gDiagonal * (two * wc);
                gHc = gDiagonal * (two * hc);
                gDx = gCentres * (two * dx);
                gDy = gCentres * (two * dy);
                if (kind == BoxIoUKind.Complete)
                {
                    var angle = Angle(c, angles, out var r1, out var r2);
                    var factor = new Vector<T>(T.CreateTruncating(AspectFactor));
                    var v = factor * (angle * angle);
                    var alpha = v / (Vector<T>.One - iou + v + epsilon); // a constant of the graph, as torchvision's no_grad
                    var gAngle = s * alpha * factor * (two * angle);
                    var gR2 = gAngle / (r2 * r2 + Vector<T>.One);
                    var gR1 = -gAngle / (r1 * r1 + Vector<T>.One);
                    gW2 = gR2 / h2;
                    gH2 = -gR2 * w2 / (h2 * h2);
                    gW1 = gR1 / h1;
                    gH1 = -gR1 * w1 / (h1 * h1);
                }
            }

            // iou = I/(U + ε); U = A1 + A2 − I; I = [overlap]·wi·hi.
            var gIntersection = gIou / denominator;
            gUnion -= gIou * iou / denominator;
            gIntersection -= gUnion;
            gW1 += gUnion * h1;
            gH1 += gUnion * w1;
            gW2 += gUnion * h2;
            gH2 += gUnion * w2;
            var gWi = Vector.ConditionalSelect(overlaps, gIntersection * hi, Vector<T>.Zero);
            var gHi = Vector.ConditionalSelect(overlaps, gIntersection * wi, Vector<T>.Zero);

            // Sides: w1 = x2 − x1, h1 = y2 − y1, and the same for box 2; centres: dx = (x2 + x1)/2 − (x1g + x2g)/2.
            var hx = gDx * half;
            var hy = gDy * half;
            var g = new Block<T>
            {
                X1 = hx - gW1, Y1 = hy - gH1, X2 = gW1 + hx, Y2 = gH1 + hy,
                X1g = -gW2 - hx, Y1g = -gH2 - hy, X2g = gW2 - hx, Y2g = gH2 - hy,
            };
            // Intersection corners: wi = min(x2, x2g) − max(x1, x1g); enclosing corners: wc = max(x2, x2g) − min(x1, x1g).
            RouteMaximum(c.X1, c.X1g, -gWi, ref g.X1, ref g.X1g);
            RouteMaximum(c.Y1, c.Y1g, -gHi, ref g.Y1, ref g.Y1g);
            RouteMinimum(c.X2, c.X2g, gWi, ref g.X2, ref g.X2g);
            RouteMinimum(c.Y2, c.Y2g, gHi, ref g.Y2, ref g.Y2g);
            RouteMinimum(c.X1, c.X1g, -gWc, ref g.X1, ref g.X1g);
            RouteMinimum(c.Y1, c.Y1g, -gHc, ref g.Y1, ref g.Y1g);
            RouteMaximum(c.X2, c.X2g, gWc, ref g.X2, ref g.X2g);
            RouteMaximum(c.Y2, c.Y2g, gHc, ref g.Y2, ref g.Y2g);
            return g;
        }

        /// <summary>The gradient of maximum(x, y) as libtorch gives it: to the larger; split in half on a tie.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void RouteMaximum<T>(Vector<T> x, Vector<T> y, Vector<T> gradient, ref Vector<T> gx, ref Vector<T> gy)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var tie = Vector.Equals(x, y);
            var half = gradient * new Vector<T>(T.CreateTruncating(0.5));
            gx += Vector.ConditionalSelect(tie, half, Vector.ConditionalSelect(Vector.LessThan(x, y), Vector<T>.Zero, gradient));
            gy += Vector.ConditionalSelect(tie, half, Vector.ConditionalSelect(Vector.GreaterThan(x, y), Vector<T>.Zero, gradient));
        }

        /// <summary>The gradient of minimum(x, y) as libtorch gives it: to the smaller; split in half on a tie.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void RouteMinimum<T>(Vector<T> x, Vector<T> y, Vector<T> gradient, ref Vector<T> gx, ref Vector<T> gy)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var tie = Vector.Equals(x, y);
            var half = gradient * new Vector<T>(T.CreateTruncating(0.5));
            gx += Vector.ConditionalSelect(tie, half, Vector.ConditionalSelect(Vector.GreaterThan(x, y), Vector<T>.Zero, gradient));
            gy += Vector.ConditionalSelect(tie, half, Vector.ConditionalSelect(Vector.LessThan(x, y), Vector<T>.Zero, gradient));
        }
    }
}
