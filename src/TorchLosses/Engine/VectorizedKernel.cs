using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace TorchLosses.Engine
{
    /// <summary>
    /// One pass over contiguous CPU memory per quantity, SIMD through <see cref="Vector{T}"/>, for any loss definition:
    /// the elementwise loss (optionally times a weight), and the scaled first derivative with its negation. Each pass reads
    /// its inputs once and writes its outputs once. The JIT specialises every loop for the definition struct and the dtype,
    /// so the definition's arithmetic is inlined. The passes run on the calling thread: handing ranges to the .NET thread
    /// pool made two-thread runs slower, not faster, because its workers compete for the cores with libtorch's OpenMP
    /// workers, which spin after every parallel libtorch op (docs/benchmarks.md).
    /// Callers keep every tensor behind these pointers alive for the duration of the call.
    /// </summary>
    internal static unsafe class VectorizedKernel
    {
        /// <summary>output[i] = ρ(input[i] − target[i]), times weight[i] when <paramref name="weight"/> is not null (after rounding ρ, as the composed ops).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the hot loops: optimised from the first call, not after tiering
        public static void Values<TLoss, T>(TLoss loss, T* input, T* target, T* weight, T* output, long count)
            where TLoss : struct, IPointwiseLoss<TLoss>
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            long i = 0;
            if (weight == null)
            {
                for (; i <= count - Vector<T>.Count; i += Vector<T>.Count)
                    loss.Value(Vector.Load(input + i) - Vector.Load(target + i)).Store(output + i);
                for (; i < count; i++)
                    output[i] = loss.Value(input[i] - target[i]);
                return;
            }
            for (; i <= count - Vector<T>.Count; i += Vector<T>.Count)
                (loss.Value(Vector.Load(input + i) - Vector.Load(target + i)) * Vector.Load(weight + i)).Store(output + i);
            for (; i < count; i++)
                output[i] = loss.Value(input[i] - target[i]) * weight[i];
        }

        /// <summary>
        /// gradInput[i] = s_i·ρ′(input[i] − target[i]) and gradTarget[i] = its negation, each written only when its pointer is not
        /// null. s_i is <paramref name="scale"/>, or scales[i] when <paramref name="scales"/> is not null.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ScaledDerivatives<TLoss, T>(TLoss loss, T* input, T* target, T scale, T* scales, T* gradInput, T* gradTarget, long count)
            where TLoss : struct, IPointwiseLoss<TLoss>
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var uniform = new Vector<T>(scale);
            long i = 0;
            for (; i <= count - Vector<T>.Count; i += Vector<T>.Count)
            {
                var gradient = (scales == null ? uniform : Vector.Load(scales + i)) * loss.Derivative(Vector.Load(input + i) - Vector.Load(target + i));
                if (gradInput != null)
                    gradient.Store(gradInput + i);
                if (gradTarget != null)
                    (-gradient).Store(gradTarget + i);
            }
            for (; i < count; i++)
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
