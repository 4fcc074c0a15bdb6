using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using TorchSharp;

namespace TorchLosses.Engine
{
    /// <summary>
    /// One pass over contiguous CPU memory per quantity, SIMD through <see cref="Vector{T}"/>, for any loss definition:
    /// the elementwise loss (optionally times a weight), and the scaled first derivative with its negation. Each pass reads
    /// its inputs once and writes its outputs once. The JIT specialises every loop for the definition struct and the dtype,
    /// so the definition's arithmetic is inlined. Large tensors are split into one contiguous range per libtorch thread
    /// (<c>torch.get_num_threads()</c>) on the .NET thread pool. Those workers share the cores with libtorch's OpenMP
    /// workers, which spin for a while after every parallel libtorch op, so two threads gain less here than in libtorch's
    /// own kernels (docs/benchmarks.md); the bits do not depend on the split.
    /// Callers keep every tensor behind these pointers alive for the duration of the call.
    /// </summary>
    internal static unsafe class VectorizedKernel
    {
        /// <summary>Below this many elements per thread the pass runs on the calling thread alone.</summary>
        private const long MinimumElementsPerThread = 1 << 18;

        /// <summary>output[i] = ρ(input[i] − target[i]), times weight[i] when <paramref name="weight"/> is not null (after rounding ρ, as the composed ops).</summary>
        public static void Values<TLoss, T>(TLoss loss, T* input, T* target, T* weight, T* output, long count)
            where TLoss : struct, IPointwiseLoss<TLoss>
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            nint a = (nint)input, b = (nint)target, w = (nint)weight, o = (nint)output;
            InRanges(count, (start, length) => ValuesRange(loss, (T*)a + start, (T*)b + start, w == 0 ? null : (T*)w + start, (T*)o + start, length));
        }

        /// <summary>
        /// gradInput[i] = s_i·ρ′(input[i] − target[i]) and gradTarget[i] = its negation, each written only when its pointer is not
        /// null. s_i is <paramref name="scale"/>, or scales[i] when <paramref name="scales"/> is not null.
        /// </summary>
        public static void ScaledDerivatives<TLoss, T>(TLoss loss, T* input, T* target, T scale, T* scales, T* gradInput, T* gradTarget, long count)
            where TLoss : struct, IPointwiseLoss<TLoss>
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            nint a = (nint)input, b = (nint)target, s = (nint)scales, i = (nint)gradInput, t = (nint)gradTarget;
            InRanges(count, (start, length) => ScaledDerivativesRange(loss, (T*)a + start, (T*)b + start, scale, s == 0 ? null : (T*)s + start,
                i == 0 ? null : (T*)i + start, t == 0 ? null : (T*)t + start, length));
        }

        private static void InRanges(long count, Action<long, long> range)
        {
            long threads = Math.Min(torch.get_num_threads(), count / MinimumElementsPerThread);
            if (threads <= 1)
            {
                range(0, count);
                return;
            }
            // Ranges of whole vectors, so that only the last one has a scalar tail.
            long vector = Vector<byte>.Count;
            long size = ((count + threads - 1) / threads + vector - 1) / vector * vector; // threads · size ≥ count
            Parallel.For(0L, threads, part =>
            {
                long start = part * size;
                if (start < count)
                    range(start, Math.Min(size, count - start));
            });
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the hot loops: optimised from the first call, not after tiering
        private static void ValuesRange<TLoss, T>(TLoss loss, T* input, T* target, T* weight, T* output, long length)
            where TLoss : struct, IPointwiseLoss<TLoss>
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            long i = 0;
            if (weight == null)
            {
                for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                    loss.Value(Vector.Load(input + i) - Vector.Load(target + i)).Store(output + i);
                for (; i < length; i++)
                    output[i] = loss.Value(input[i] - target[i]);
                return;
            }
            for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                (loss.Value(Vector.Load(input + i) - Vector.Load(target + i)) * Vector.Load(weight + i)).Store(output + i);
            for (; i < length; i++)
                output[i] = loss.Value(input[i] - target[i]) * weight[i];
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ScaledDerivativesRange<TLoss, T>(TLoss loss, T* input, T* target, T scale, T* scales, T* gradInput, T* gradTarget, long length)
            where TLoss : struct, IPointwiseLoss<TLoss>
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var uniform = new Vector<T>(scale);
            long i = 0;
            for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var gradient = (scales == null ? uniform : Vector.Load(scales + i)) * loss.Derivative(Vector.Load(input + i) - Vector.Load(target + i));
                if (gradInput != null)
                    gradient.Store(gradInput + i);
                if (gradTarget != null)
                    (-gradient).Store(gradTarget + i);
            }
            for (; i < length; i++)
            {
                var gradient = (scales == null ? scale : scales[i]) * loss.Derivative(input[i] - target[i]);
                if (gradInput != null)
                    gradInput[i] = gradient;
                if (gradTarget != null)
                    gradTarget[i] = -gradient;
            }
        }
    }
}
