using System;
using TorchSharp;

namespace TorchLosses.Tests.Support
{
    /// <summary>Distance in units in the last place of a floating-point format (how many representable values apart).</summary>
    internal static class Ulps
    {
        /// <summary>
        /// How many values of <paramref name="dtype"/> lie between <paramref name="a"/> and <paramref name="b"/>
        /// (both exactly representable in it); +0 and −0 are 0 apart.
        /// </summary>
        public static long Between(double a, double b, torch.ScalarType dtype) => Math.Abs(Ordered(a, dtype) - Ordered(b, dtype));

        /// <summary>Maps a value to an integer that increases by one from each representable value to the next.</summary>
        private static long Ordered(double value, torch.ScalarType dtype)
        {
            switch (dtype)
            {
                case torch.ScalarType.Float64:
                {
                    long bits = BitConverter.DoubleToInt64Bits(value);
                    return bits < 0 ? long.MinValue - bits : bits;
                }
                case torch.ScalarType.Float32:
                    return Ordered32(BitConverter.SingleToInt32Bits((float)value));
                case torch.ScalarType.Float16:
                    return Ordered16(BitConverter.HalfToInt16Bits((Half)value));
                case torch.ScalarType.BFloat16:
                    // A bfloat16 is the upper half of a float32.
                    return Ordered16((short)(BitConverter.SingleToInt32Bits((float)value) >> 16));
                default:
                    throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a floating-point dtype");
            }
        }

        private static long Ordered32(int bits) => bits < 0 ? (long)int.MinValue - bits : bits;

        private static long Ordered16(short bits) => bits < 0 ? (long)short.MinValue - bits : bits;
    }
}
