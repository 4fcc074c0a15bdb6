using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace TorchLosses.Engine
{
    /// <summary>
    /// The elementary operations that the vector forms of the losses share, each written to give libtorch's CPU bits:
    /// clamp and sign through comparisons (NaN stays NaN, −0 stays −0, as libtorch's vectorized clamp and sign), and
    /// a·b + c as one fused multiply-add, as libtorch's vectorized <c>add(x, y, alpha)</c> computes it (ATen ufunc add).
    /// </summary>
    internal static class VectorMath
    {
        /// <summary>clamp(x, lower, upper) by comparisons.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Clamp<T>(T x, T lower, T upper) where T : unmanaged, IFloatingPointIeee754<T> =>
            x < lower ? lower : x > upper ? upper : x;

        /// <summary>clamp(x, lower, upper) by comparisons, lane by lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Clamp<T>(Vector<T> x, T lower, T upper) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var low = new Vector<T>(lower);
            var high = new Vector<T>(upper);
            return Vector.ConditionalSelect(Vector.LessThan(x, low), low, Vector.ConditionalSelect(Vector.GreaterThan(x, high), high, x));
        }

        /// <summary>(0 &lt; x) − (x &lt; 0), as libtorch's vectorized sign: 0 at ±0 and at NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sign<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> =>
            (T.Zero < x ? T.One : T.Zero) - (x < T.Zero ? T.One : T.Zero);

        /// <summary>(0 &lt; x) − (x &lt; 0), lane by lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Sign<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var zero = Vector<T>.Zero;
            var one = Vector<T>.One;
            return Vector.ConditionalSelect(Vector.LessThan(zero, x), one, zero) - Vector.ConditionalSelect(Vector.LessThan(x, zero), one, zero);
        }

        /// <summary>a·b + addend, rounded once.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T MultiplyAdd<T>(T a, T b, T addend) where T : unmanaged, IFloatingPointIeee754<T> =>
            T.FusedMultiplyAdd(a, b, addend);

        /// <summary>a·b + addend, rounded once, lane by lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> MultiplyAdd<T>(Vector<T> a, Vector<T> b, Vector<T> addend) where T : unmanaged, IFloatingPointIeee754<T>
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

    /// <summary>
    /// A loss parameter as libtorch sees it: a double, rounded to the tensor's dtype as libtorch rounds a Scalar
    /// (round to nearest), kept in both vector dtypes so that the hot loops read it without converting.
    /// </summary>
    internal readonly struct RoundedNumber
    {
        private readonly float single;

        /// <summary>The number as given.</summary>
        public double Value { get; }

        /// <summary>Keeps <paramref name="value"/> and its rounding to float.</summary>
        public RoundedNumber(double value)
        {
            Value = value;
            single = (float)value;
        }

        /// <summary>The number in <typeparamref name="T"/> (float or double).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T In<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (typeof(T) == typeof(float))
            {
                var value = single;
                return Unsafe.As<float, T>(ref value);
            }
            var wide = Value;
            return Unsafe.As<double, T>(ref wide);
        }

        /// <summary>
        /// Whether <typeparamref name="T"/> represents the number: finite numbers must stay finite (libtorch refuses a finite
        /// Scalar that overflows float), infinities stay infinite.
        /// </summary>
        public bool RepresentableIn<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.IsFinite(In<T>()) || double.IsInfinity(Value);
    }
}
