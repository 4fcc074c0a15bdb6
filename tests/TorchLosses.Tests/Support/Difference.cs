using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Support
{
    /// <summary>How far our tensor is from libtorch's, element by element.</summary>
    /// <param name="Elements">Number of elements compared.</param>
    /// <param name="Mismatches">Elements whose bits differ (two NaNs count as equal; +0 and −0 do not).</param>
    /// <param name="MaxUlps">Largest distance in ulps of the dtype (long.MaxValue where one side is NaN and the other not).</param>
    /// <param name="MaxRelative">Largest |ours − reference| / |reference| (absolute where the reference is 0).</param>
    internal readonly record struct Difference(long Elements, long Mismatches, long MaxUlps, double MaxRelative)
    {
        public bool Bitwise => Mismatches == 0;

        public override string ToString() =>
            Bitwise ? $"bitwise ({Elements} elements)" : $"{Mismatches}/{Elements} differ, max {MaxUlps} ulp, max rel {MaxRelative:G3}";

        /// <summary>Compares dtype, shape and device, then every element.</summary>
        public static Difference Between(Tensor ours, Tensor reference)
        {
            Assert.Equal(reference.dtype, ours.dtype);
            Assert.Equal(reference.shape, ours.shape);
            Assert.Equal(reference.device.ToString(), ours.device.ToString());
            var a = HostValues.Of(ours);
            var b = HostValues.Of(reference);
            long mismatches = 0, maxUlps = 0;
            double maxRelative = 0;
            for (int i = 0; i < a.Length; i++)
            {
                if (double.IsNaN(a[i]) && double.IsNaN(b[i]))
                    continue;
                if (BitConverter.DoubleToInt64Bits(a[i]) == BitConverter.DoubleToInt64Bits(b[i]))
                    continue;
                mismatches++;
                if (double.IsNaN(a[i]) || double.IsNaN(b[i]))
                {
                    maxUlps = long.MaxValue;
                    maxRelative = double.PositiveInfinity;
                    continue;
                }
                maxUlps = Math.Max(maxUlps, Ulps.Between(a[i], b[i], reference.dtype));
                var absolute = Math.Abs(a[i] - b[i]);
                maxRelative = Math.Max(maxRelative, b[i] == 0 ? absolute : absolute / Math.Abs(b[i]));
            }
            return new Difference(a.Length, mismatches, maxUlps, maxRelative);
        }

        /// <summary>The worse of two differences, for summarising a value and its gradients.</summary>
        public static Difference Worst(params Difference[] differences) => new(
            differences.Sum(d => d.Elements), differences.Sum(d => d.Mismatches),
            differences.Max(d => d.MaxUlps), differences.Max(d => d.MaxRelative));
    }
}
