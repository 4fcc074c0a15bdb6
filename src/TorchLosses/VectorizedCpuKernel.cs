using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using TorchSharp;

namespace TorchLosses
{
    /// <summary>
    /// One pass over contiguous CPU memory per quantity, SIMD through <see cref="Vector{T}"/>: the elementwise loss,
    /// the local gradient, and the scaled gradient. Each pass reads its inputs once and writes one tensor, where the
    /// composed TorchSharp ops take four to six passes and as many native calls. Large tensors are split into chunks
    /// run in parallel on up to <c>torch.get_num_threads()</c> threads, as libtorch splits its own kernels.
    /// Callers keep every tensor behind these pointers alive for the duration of the call.
    /// </summary>
    internal static unsafe class VectorizedCpuKernel
    {
        /// <summary>Elements per parallel chunk (twice libtorch's GRAIN_SIZE): smaller tensors run on the calling thread.</summary>
        private const long ChunkElements = 1 << 16;

        /// <summary>loss[i] = elementwise loss of (input[i], target[i]), times weight[i] when <paramref name="weight"/> is not null.</summary>
        public static void Losses<T>(T* input, T* target, T* weight, T* loss, long count, LossArithmetic<T> arithmetic)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            nint a = (nint)input, b = (nint)target, w = (nint)weight, l = (nint)loss;
            InChunks(count, (start, length) => LossesRange((T*)a + start, (T*)b + start, w == 0 ? null : (T*)w + start, (T*)l + start, length, arithmetic));
        }

        /// <summary>local[i] = scale·∂loss/∂x at (input[i], target[i]).</summary>
        public static void LocalGradients<T>(T* input, T* target, T* local, long count, LossArithmetic<T> arithmetic, T scale)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            nint a = (nint)input, b = (nint)target, g = (nint)local;
            InChunks(count, (start, length) => LocalGradientsRange((T*)a + start, (T*)b + start, (T*)g + start, length, arithmetic, scale));
        }

        /// <summary>
        /// gradInput[i] = s_i·∂loss/∂x at (input[i], target[i]) and gradTarget[i] = its negation, each written only when its
        /// pointer is not null: backward recomputed from the inputs, in one pass. s_i is <paramref name="scale"/>, or
        /// upstream[i] when <paramref name="upstream"/> is not null (reduction None).
        /// </summary>
        public static void ScaledLocalGradients<T>(T* input, T* target, T scale, T* upstream, T* gradInput, T* gradTarget, long count, LossArithmetic<T> arithmetic)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            nint a = (nint)input, b = (nint)target, u = (nint)upstream, i = (nint)gradInput, t = (nint)gradTarget;
            InChunks(count, (start, length) => ScaledLocalGradientsRange((T*)a + start, (T*)b + start, scale, u == 0 ? null : (T*)u + start,
                i == 0 ? null : (T*)i + start, t == 0 ? null : (T*)t + start, length, arithmetic));
        }

        private static void InChunks(long count, Action<long, long> range)
        {
            long chunks = (count + ChunkElements - 1) / ChunkElements;
            int threads = chunks > 1 ? torch.get_num_threads() : 1;
            if (threads <= 1)
            {
                range(0, count);
                return;
            }
            Parallel.For(0L, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads },
                chunk => range(chunk * ChunkElements, Math.Min(ChunkElements, count - chunk * ChunkElements)));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the hot loops: optimised from the first call, not after tiering
        private static void LossesRange<T>(T* input, T* target, T* weight, T* loss, long length, LossArithmetic<T> arithmetic)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            long i = 0;
            if (weight == null)
            {
                for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                    arithmetic.Loss(Vector.Load(input + i), Vector.Load(target + i)).Store(loss + i);
                for (; i < length; i++)
                    loss[i] = arithmetic.Loss(input[i], target[i]);
                return;
            }
            // The weight multiplies the rounded loss, as the composed path's elementwise.mul_(weight) does.
            for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                (arithmetic.Loss(Vector.Load(input + i), Vector.Load(target + i)) * Vector.Load(weight + i)).Store(loss + i);
            for (; i < length; i++)
                loss[i] = arithmetic.Loss(input[i], target[i]) * weight[i];
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the hot loops: optimised from the first call, not after tiering
        private static void LocalGradientsRange<T>(T* input, T* target, T* local, long length, LossArithmetic<T> arithmetic, T scale)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            // Multiplying by a scale of 1 is exact, so one loop serves the scaled and the unscaled gradient.
            var scales = new Vector<T>(scale);
            long i = 0;
            for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                (scales * arithmetic.LocalGradient(Vector.Load(input + i), Vector.Load(target + i))).Store(local + i);
            for (; i < length; i++)
                local[i] = scale * arithmetic.LocalGradient(input[i], target[i]);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ScaledLocalGradientsRange<T>(T* input, T* target, T scale, T* upstream, T* gradInput, T* gradTarget, long length, LossArithmetic<T> arithmetic)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var scales = new Vector<T>(scale);
            long i = 0;
            for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var gradient = (upstream == null ? scales : Vector.Load(upstream + i)) * arithmetic.LocalGradient(Vector.Load(input + i), Vector.Load(target + i));
                if (gradInput != null)
                    gradient.Store(gradInput + i);
                if (gradTarget != null)
                    (-gradient).Store(gradTarget + i);
            }
            for (; i < length; i++)
            {
                var gradient = (upstream == null ? scale : upstream[i]) * arithmetic.LocalGradient(input[i], target[i]);
                if (gradInput != null)
                    gradInput[i] = gradient;
                if (gradTarget != null)
                    gradTarget[i] = -gradient;
            }
        }
    }
}
