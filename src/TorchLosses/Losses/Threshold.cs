using System;
using TorchLosses.Engine;
using TorchLosses.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// A loss's threshold τ (Huber's δ, Smooth L1's β): one number, or a tensor broadcastable to the loss with one τ per
    /// coordinate, a constant of the graph as in PyTorch. Gives the composed ops that use it: clamp(x, −τ, τ) and the mask
    /// |x| &lt; τ, with τ rounded to x's dtype as libtorch rounds it (<see cref="RoundedNumber.For"/>).
    /// </summary>
    internal readonly struct Threshold
    {
        private readonly string name;
        private readonly bool zeroAllowed;

        private Threshold(string name, bool zeroAllowed, RoundedNumber number, Tensor? tensor)
        {
            this.name = name;
            this.zeroAllowed = zeroAllowed;
            Number = number;
            Tensor = tensor;
        }

        /// <summary>One τ. Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> for NaN, τ &lt; 0, or τ = 0 unless allowed.</summary>
        public static Threshold Of(double value, string name, bool zeroAllowed)
        {
            ParameterChecks.Threshold(value, name, zeroAllowed);
            return new Threshold(name, zeroAllowed, new RoundedNumber(value), null);
        }

        /// <summary>One τ per coordinate, checked against each call by <see cref="Prepared"/>.</summary>
        public static Threshold Of(Tensor value, string name, bool zeroAllowed) =>
            new(name, zeroAllowed, default, value ?? throw new ArgumentNullException(name));

        /// <summary>τ when it is one number (unused when <see cref="Tensor"/> is set).</summary>
        public RoundedNumber Number { get; }

        /// <summary>τ per coordinate, or null when it is one number.</summary>
        public Tensor? Tensor { get; }

        /// <summary>The tensor, as the engine saves it for backward (none for a number).</summary>
        public Tensor[] Tensors => Tensor is null ? Array.Empty<Tensor>() : new[] { Tensor };

        /// <summary>This threshold with its tensor replaced (by the one unpacked in backward).</summary>
        public Threshold WithTensors(Tensor[] tensors) => new(name, zeroAllowed, Number, tensors.Length == 0 ? null : tensors[0]);

        /// <summary>A tensor τ checked against the call (dtype, device, shape, values on the CPU), detached and in input's dtype.</summary>
        public Threshold Prepared(Tensor input, long[] lossShape) =>
            Tensor is null ? this : WithTensors(new[] { ParameterChecks.ThresholdTensor(Tensor, name, zeroAllowed, input, lossShape) });

        /// <summary>clamp(x, −τ, τ): a new tensor.</summary>
        public Tensor Clamp(Tensor x)
        {
            if (Tensor is not null)
            {
                using var lower = Tensor.neg();
                return x.clamp(lower, Tensor);
            }
            double value = Number.For(x.dtype);
            using var upper = value.ToScalar();
            using var low = (-value).ToScalar();
            return x.clamp(low, upper);
        }

        /// <summary>The mask |x| &lt; τ: the open interval where a thresholded loss is quadratic.</summary>
        public Tensor Inside(Tensor x)
        {
            using var magnitude = x.abs();
            if (Tensor is not null)
                return magnitude.lt(Tensor);
            using var upper = Number.For(x.dtype).ToScalar();
            return magnitude.lt(upper);
        }
    }
}
