using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace TorchLosses
{
    /// <summary>
    /// The per-element arithmetic of both losses for the vectorized CPU kernels (<see cref="VectorizedCpuKernel"/>),
    /// written as the same IEEE operations, in the same order, as the composed TorchSharp ops of
    /// <see cref="RobustLossKernel"/>, so both give the same bits. With x = input − target and c = clamp(x, −τ, τ):
    /// loss = (x − c/2)·g and local gradient g, where g = c (Huber), c/β (Smooth L1; no division at β = 1),
    /// and at β = 0 loss = |x| with g = sign(x).
    /// x − c/2 is a fused multiply-add, as libtorch's vectorized <c>add(x, c, alpha: −½)</c> is (ATen ufunc add); the
    /// product c·½ is exact anyway except for subnormal c.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    internal readonly struct LossArithmetic<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T lower, upper, divisor;
        private readonly bool isL1, divides;

        /// <summary>The arithmetic of <paramref name="kind"/> at threshold <paramref name="threshold"/> (δ or β), rounded to <typeparamref name="T"/> as libtorch rounds a Scalar.</summary>
        public LossArithmetic(RobustLossKind kind, double threshold)
        {
            upper = T.CreateTruncating(threshold);
            lower = T.CreateTruncating(-threshold);
            isL1 = kind == RobustLossKind.SmoothL1 && threshold == 0;
            divides = kind == RobustLossKind.SmoothL1 && !isL1 && threshold != 1;
            divisor = upper;
        }

        /// <summary>Whether the threshold survives the rounding to <typeparamref name="T"/> (libtorch refuses a finite Scalar that overflows float).</summary>
        public static bool Representable(double threshold) => T.IsFinite(T.CreateTruncating(threshold)) || double.IsInfinity(threshold);

        /// <summary>The elementwise loss of one pair.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Loss(T input, T target)
        {
            var x = input - target;
            if (isL1)
                return T.Abs(x);
            var c = Clamp(x);
            var shifted = T.FusedMultiplyAdd(c, MinusHalf, x);
            return shifted * (divides ? c / divisor : c);
        }

        /// <summary>∂loss/∂x of one pair: c, c/β, or sign(x) at β = 0.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T LocalGradient(T input, T target)
        {
            var x = input - target;
            if (isL1)
                return Sign(x);
            var c = Clamp(x);
            return divides ? c / divisor : c;
        }

        /// <summary>The elementwise loss of <see cref="Vector{T}.Count"/> pairs.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector<T> Loss(Vector<T> input, Vector<T> target)
        {
            var x = input - target;
            if (isL1)
                return Vector.Abs(x);
            var c = Clamp(x);
            var shifted = MultiplyAdd(c, new Vector<T>(MinusHalf), x);
            return shifted * (divides ? c / new Vector<T>(divisor) : c);
        }

        /// <summary>∂loss/∂x of <see cref="Vector{T}.Count"/> pairs.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector<T> LocalGradient(Vector<T> input, Vector<T> target)
        {
            var x = input - target;
            if (isL1)
                return Sign(x);
            var c = Clamp(x);
            return divides ? c / new Vector<T>(divisor) : c;
        }

        private static T MinusHalf => T.CreateTruncating(-0.5);

        // Comparisons, not Min/Max: NaN stays NaN and −0 stays −0, as in libtorch's clamp.
        private T Clamp(T x) => x < lower ? lower : x > upper ? upper : x;

        private Vector<T> Clamp(Vector<T> x)
        {
            var low = new Vector<T>(lower);
            var high = new Vector<T>(upper);
            return Vector.ConditionalSelect(Vector.LessThan(x, low), low, Vector.ConditionalSelect(Vector.GreaterThan(x, high), high, x));
        }

        // (0 < x) − (x < 0), as libtorch's vectorized sign: 0 at ±0 and at NaN.
        private static T Sign(T x) => (T.Zero < x ? T.One : T.Zero) - (x < T.Zero ? T.One : T.Zero);

        private static Vector<T> Sign(Vector<T> x)
        {
            var zero = Vector<T>.Zero;
            var one = Vector<T>.One;
            return Vector.ConditionalSelect(Vector.LessThan(zero, x), one, zero) - Vector.ConditionalSelect(Vector.LessThan(x, zero), one, zero);
        }

        private static Vector<T> MultiplyAdd(Vector<T> a, Vector<T> b, Vector<T> addend)
        {
            if (typeof(T) == typeof(float))
            {
                var result = Vector.FusedMultiplyAdd(Unsafe.As<Vector<T>, Vector<float>>(ref a), Unsafe.As<Vector<T>, Vector<float>>(ref b), Unsafe.As<Vector<T>, Vector<float>>(ref addend));
                return Unsafe.As<Vector<float>, Vector<T>>(ref result);
            }
            if (typeof(T) == typeof(double))
            {
                var result = Vector.FusedMultiplyAdd(Unsafe.As<Vector<T>, Vector<double>>(ref a), Unsafe.As<Vector<T>, Vector<double>>(ref b), Unsafe.As<Vector<T>, Vector<double>>(ref addend));
                return Unsafe.As<Vector<double>, Vector<T>>(ref result);
            }
            throw new NotSupportedException($"{typeof(T)} has no vectorized multiply-add here.");
        }
    }
}
