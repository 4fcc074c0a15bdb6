using System;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// What a Mean reduction divides the summed (weighted) loss by, in place of the element count: torchvision's Fast R-CNN
    /// divides by the number of sampled RoIs, mmdetection calls it <c>avg_factor</c>. Either a .NET number, or a 0-d tensor
    /// on the input's device, so that a count computed on a GPU needs no host sync (<c>item()</c>). Both convert implicitly:
    /// pass <c>normalizer: 512</c> or <c>normalizer: positives.sum()</c>.
    /// </summary>
    public readonly struct LossNormalizer
    {
        private LossNormalizer(double? number, Tensor? tensor)
        {
            Number = number;
            Tensor = tensor;
        }

        /// <summary>The normaliser as a number, or null when it is a tensor.</summary>
        public double? Number { get; }

        /// <summary>The normaliser as a 0-d tensor, or null when it is a number. A constant: no gradient flows into it.</summary>
        public Tensor? Tensor { get; }

        /// <summary>A normaliser given as a number (a positive, finite count).</summary>
        /// <param name="value">The divisor.</param>
        public static implicit operator LossNormalizer(double value) => new(value, null);

        /// <summary>A normaliser given as a 0-d tensor on the input's device (a positive, finite count).</summary>
        /// <param name="value">The divisor.</param>
        public static implicit operator LossNormalizer(Tensor value) =>
            new(null, value ?? throw new ArgumentNullException(nameof(value), "normalizer is a null tensor; pass null for no normalizer."));

        /// <inheritdoc/>
        public override string ToString() => Number?.ToString() ?? $"tensor of dtype {Tensor!.dtype}";
    }
}
