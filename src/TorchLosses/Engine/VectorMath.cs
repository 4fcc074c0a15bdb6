using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

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
    /// (round to nearest; beyond the range to ±∞, below the smallest subnormal to ±0), kept in both vector dtypes so that
    /// the hot loops read it without converting.
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
        /// The number to hand libtorch as a Scalar for a tensor of <paramref name="dtype"/>: itself, unless the dtype rounds it
        /// to ±∞ (a finite threshold beyond the dtype's range, which libtorch's own kernels take as ∞ and a Scalar conversion
        /// would refuse with an overflow error) or to ±0 (a threshold below the dtype's smallest subnormal, which libtorch's
        /// kernels take as 0). Rounds as libtorch converts a double: to float first, then to the half type.
        /// </summary>
        public double For(ScalarType dtype)
        {
            double rounded = In(dtype);
            return double.IsInfinity(rounded) || rounded == 0 ? rounded : Value;
        }

        /// <summary>The number rounded to <paramref name="dtype"/> (through float, as libtorch converts a double Scalar), as a double.</summary>
        public double In(ScalarType dtype) => dtype switch
        {
            ScalarType.Float64 => Value,
            ScalarType.Float16 => (double)(Half)single,
            ScalarType.BFloat16 => BFloat16(single),
            _ => single,
        };

        /// <summary>x rounded to bfloat16 (round to nearest, ties to even, as c10::BFloat16), as a double.</summary>
        private static double BFloat16(float x)
        {
            if (float.IsNaN(x))
                return x;
            uint bits = BitConverter.SingleToUInt32Bits(x);
            bits = (bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u;
            return BitConverter.UInt32BitsToSingle(bits);
        }
    }
}
