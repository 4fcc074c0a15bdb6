using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// The fast path for the common CPU case: float32/float64, input and target of one shape, both contiguous, one
    /// number as threshold, and a weight (if any) of that shape and dtype, contiguous, without gradient. The elementwise
    /// loss and the local gradient are each one SIMD pass (<see cref="VectorizedCpuKernel"/>) that writes the same bits
    /// as the composed ops of <see cref="RobustLossKernel"/>; libtorch then reduces them with its own sum and mean.
    /// Autograd takes one of two forms, whichever costs less (see <see cref="Applies"/> and
    /// <see cref="CustomFunctionFrom"/>):
    /// <list type="bullet">
    /// <item><see cref="Recorded"/>: libtorch's autograd records a multiply by the local gradient, whose output is then
    /// overwritten with the loss. One or two native nodes, no managed callback: cheapest for small tensors.</item>
    /// <item><see cref="VectorizedCpuFunction"/>: a custom node (every reduction without weight, from
    /// <see cref="CustomFunctionFrom"/> elements on) built like libtorch's fused kernels: the loss in one pass into a
    /// tensor freed once reduced, input and target saved, the gradient recomputed from them in one pass. One fresh tensor
    /// in forward and one in backward and nothing held between them, where the recorded form makes three and holds one
    /// (a fresh 64 MiB tensor costs about 200 ms of page faults here, and a held one makes glibc trim and refault its heap).</item>
    /// </list>
    /// Every other case runs the composed ops.
    /// </summary>
    internal static class VectorizedCpuPath
    {
        /// <summary>
        /// From this many elements on, losses without a weight run <see cref="VectorizedCpuFunction"/>: below it the
        /// custom function's fixed cost (about 10 µs of managed/native bookkeeping per call, measured) outweighs the
        /// fresh tensor it saves.
        /// </summary>
        public const long CustomFunctionFrom = 1 << 16;

        /// <summary>Whether the vectorized path computes this call (reads devices, dtypes and strides only).</summary>
        public static bool Applies(Tensor input, Tensor target, Tensor? weight, Tensor? thresholdTensor, RobustLossCall call)
        {
            var shapes = call.Shapes;
            if (thresholdTensor is not null || shapes.ElementCount == 0 || !Broadcasting.Same(shapes.Input, shapes.Target))
                return false;
            if (input.device_type != DeviceType.CPU)
                return false;
            // TorchSharp hands out CPU memory as a Span, so at most int.MaxValue bytes per tensor.
            var bytesPerElement = input.dtype switch
            {
                ScalarType.Float32 when LossArithmetic<float>.Representable(call.Threshold) => 4L,
                ScalarType.Float64 => 8L,
                _ => 0L,
            };
            if (bytesPerElement == 0 || shapes.ElementCount > int.MaxValue / bytesPerElement || !input.is_contiguous() || !target.is_contiguous())
                return false;
            return weight is null
                || (!call.WeightRequiresGrad && weight.dtype == input.dtype && Broadcasting.Same(shapes.Weight!, shapes.Input) && weight.is_contiguous());
        }

        /// <summary>The loss of a call that <see cref="Applies"/>, with autograd in the cheaper of its two forms.</summary>
        public static Tensor Compute(Tensor input, Tensor target, Tensor? weight, RobustLossCall call)
        {
            if (!call.AnyGradient)
                return RobustLossKernel.Reduce(ElementwiseLoss(input, target, weight, call), call);
            return weight is null && call.Shapes.ElementCount >= CustomFunctionFrom
                ? VectorizedCpuFunction.apply(ThroughViewIfLeaf(input), ThroughViewIfLeaf(target), call)
                : Recorded(input, target, weight, call);
        }

        /// <summary>
        /// A leaf that needs a gradient enters the custom function through a view of itself. libtorch's AccumulateGrad adopts
        /// a gradient as <c>.grad</c> only when nothing else references it, and a gradient returned by a TorchSharp custom
        /// function is still referenced by its managed handle, so it would be copied: at 16M elements one more fresh 64 MiB
        /// tensor. The view's backward hands AccumulateGrad a new view of that gradient, referenced by libtorch alone, which
        /// it adopts. Non-leaves (a network's output) have no AccumulateGrad and go in as they are.
        /// </summary>
        private static Tensor ThroughViewIfLeaf(Tensor tensor) =>
            tensor.requires_grad && tensor.is_leaf ? tensor.view_as(tensor) : tensor;

        /// <summary>
        /// Autograd through libtorch's own nodes: y = input·g (or (input − target)·g when target needs a gradient; then
        /// y·weight), with the local gradient g a constant of the graph, so backward is grad·g, exactly what the composed
        /// path records (and grad·w·g with a weight). y is a fresh tensor that nothing saves, so its values are then
        /// overwritten with the loss, and libtorch reduces it. Call with grad mode on; the caller's scope owns temporaries.
        /// </summary>
        public static Tensor Recorded(Tensor input, Tensor target, Tensor? weight, RobustLossCall call)
        {
            // Unweighted Mean folds 1/N (or 1/normaliser, rounded as autograd's DivBackward rounds g/N at g = 1) into
            // the local gradient, and divides the sum outside the graph: one node fewer (about 5 µs at 2,048 elements),
            // the same bits for the usual upstream gradient of 1, and at other gradients (1/N·c)·g, which is libtorch's
            // own fused order in the quadratic zone (norm·x·grad).
            bool foldMean = call.Reduction == nn.Reduction.Mean && weight is null;
            var local = torch.empty(call.Shapes.Loss, input.dtype);
            LocalGradients(input, target, local, call, foldMean ? call.MeanDivisor : 1);
            var graph = call.TargetRequiresGrad ? input.sub(target).mul_(local) : input.mul(local);
            if (weight is not null)
                graph.mul_(weight);
            // Nothing saved graph's values (its node saved the local gradient and the weight): they become the loss.
            WriteLosses(input, target, weight, graph, call);
            if (call.Reduction == nn.Reduction.None)
                return graph;
            var sum = graph.sum();
            if (call.Reduction == nn.Reduction.Sum)
                return sum;
            using var divisor = Divisor(call);
            if (!foldMean)
                return sum.div_(divisor);
            using (torch.no_grad())
                sum.div_(divisor);
            return sum;
        }

        /// <summary>A fresh contiguous tensor holding the elementwise loss (times the weight, if any).</summary>
        public static Tensor ElementwiseLoss(Tensor input, Tensor target, Tensor? weight, RobustLossCall call)
        {
            var loss = torch.empty(call.Shapes.Loss, input.dtype);
            WriteLosses(input, target, weight, loss, call);
            return loss;
        }

        /// <summary>
        /// Overwrites <paramref name="destination"/> with the local gradient ∂loss_i/∂x_i, multiplied by 1/<paramref name="divisor"/>
        /// rounded to the dtype (as autograd rounds g/N) unless the divisor is 1.
        /// </summary>
        public static void LocalGradients(Tensor input, Tensor target, Tensor destination, RobustLossCall call, double divisor = 1)
        {
            if (input.dtype == ScalarType.Float32)
                LocalGradients<float>(input, target, destination, call, 1f / (float)divisor);
            else
                LocalGradients<double>(input, target, destination, call, 1.0 / divisor);
        }

        private static Scalar Divisor(RobustLossCall call) =>
            call.Normalizer is double normalizer ? normalizer.ToScalar() : call.Shapes.ElementCount.ToScalar();

        private static void WriteLosses(Tensor input, Tensor target, Tensor? weight, Tensor destination, RobustLossCall call)
        {
            if (input.dtype == ScalarType.Float32)
                Losses<float>(input, target, weight, destination, call);
            else
                Losses<double>(input, target, weight, destination, call);
        }

        private static unsafe void Losses<T>(Tensor input, Tensor target, Tensor? weight, Tensor loss, RobustLossCall call)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            fixed (byte* a = input.bytes, b = target.bytes, w = weight is null ? default : weight.bytes, l = loss.bytes)
                VectorizedCpuKernel.Losses((T*)a, (T*)b, (T*)w, (T*)l, call.Shapes.ElementCount, new LossArithmetic<T>(call.Kind, call.Threshold));
        }

        private static unsafe void LocalGradients<T>(Tensor input, Tensor target, Tensor destination, RobustLossCall call, T scale)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            fixed (byte* a = input.bytes, b = target.bytes, g = destination.bytes)
                VectorizedCpuKernel.LocalGradients((T*)a, (T*)b, (T*)g, call.Shapes.ElementCount, new LossArithmetic<T>(call.Kind, call.Threshold), scale);
        }
    }
}
