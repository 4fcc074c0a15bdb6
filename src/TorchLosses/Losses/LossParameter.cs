using System;
using TorchLosses.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// A smooth loss's parameter (pseudo-Huber's δ, Barron's α and scale): one number, or a tensor broadcastable to the loss
    /// (one value per sample or per coordinate). A tensor that requires a gradient stays attached to the graph, and the engine
    /// returns its gradient; otherwise it is a constant.
    /// </summary>
    internal readonly struct LossParameter
    {
        /// <summary>The values a parameter may take.</summary>
        public enum Domain
        {
            /// <summary>Any real number or ±∞ (Barron's α): NaN is refused.</summary>
            Extended,

            /// <summary>Positive and finite (a scale, δ).</summary>
            Positive,
        }

        private readonly string name;
        private readonly Domain domain;

        private LossParameter(string name, Domain domain, double number, Tensor? tensor)
        {
            this.name = name;
            this.domain = domain;
            Number = number;
            Tensor = tensor;
        }

        /// <summary>One value. Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> when it is outside <paramref name="domain"/>.</summary>
        public static LossParameter Of(double value, string name, Domain domain)
        {
            if (!Valid(value, domain))
                throw new ArgumentOutOfRangeException(name, value, Requirement(name, domain) + $"; got {value}.");
            return new LossParameter(name, domain, value, null);
        }

        /// <summary>One value per sample or coordinate, checked against each call by <see cref="Prepared"/>.</summary>
        public static LossParameter Of(Tensor value, string name, Domain domain) =>
            new(name, domain, double.NaN, value ?? throw new ArgumentNullException(name));

        /// <summary>The value when it is one number (NaN when <see cref="Tensor"/> is set).</summary>
        public double Number { get; }

        /// <summary>The values per sample or coordinate, or null when the parameter is one number.</summary>
        public Tensor? Tensor { get; }

        /// <summary>Whether the parameter is a tensor that requires a gradient.</summary>
        public bool Learnable => Tensor is { requires_grad: true };

        /// <summary>The tensor, as the engine saves it (none for a number).</summary>
        public Tensor[] Tensors => Tensor is null ? Array.Empty<Tensor>() : new[] { Tensor };

        /// <summary>This parameter with its tensor replaced by <paramref name="tensor"/>.</summary>
        public LossParameter WithTensor(Tensor? tensor) => new(name, domain, Number, tensor);

        /// <summary>
        /// The tensor checked against the call: floating point, on input's device, broadcastable to the loss of shape
        /// <paramref name="lossShape"/>, its values in the domain (read on the CPU only; on an accelerator, where that would sync,
        /// invalid entries become NaN so that the loss shows them). Converted to input's dtype; detached unless it requires a gradient.
        /// </summary>
        public LossParameter Prepared(Tensor input, long[] lossShape)
        {
            if (Tensor is not { } tensor)
                return this;
            ArgumentChecks.FloatingPoint(tensor, name);
            ArgumentChecks.SameDevice(input, tensor, name);
            var shape = Broadcasting.ShapeOf(tensor);
            if (!Broadcasting.BroadcastsTo(shape, lossShape))
                throw new ArgumentException(
                    $"{name} of shape {Broadcasting.Format(shape)} does not broadcast to the loss of shape {Broadcasting.Format(lossShape)}; " +
                    "give one value, one per sample (shape [N, 1]) or one per coordinate (shape [D]).", name);
            var source = tensor.requires_grad ? tensor : tensor.detach();
            var converted = source.dtype == input.dtype ? source : source.to(input.dtype);
            using var values = converted.detach();
            using var invalid = Invalid(values);
            if (converted.device_type == DeviceType.CPU)
            {
                using var any = invalid.any();
                if (any.item<bool>())
                    throw new ArgumentOutOfRangeException(name, "every entry of " + Requirement(name, domain) + ".");
                return WithTensor(converted);
            }
            using var nan = double.NaN.ToScalar();
            return WithTensor(converted.masked_fill(invalid, nan));
        }

        private Tensor Invalid(Tensor values)
        {
            var invalid = values.isnan();
            if (domain == Domain.Positive)
            {
                using var zero = 0.0.ToScalar();
                using var nonPositive = values.le(zero);
                using var infinite = values.isinf();
                invalid.logical_or_(nonPositive).logical_or_(infinite);
            }
            return invalid;
        }

        private static bool Valid(double value, Domain domain) => domain switch
        {
            Domain.Positive => value > 0 && !double.IsInfinity(value),
            _ => !double.IsNaN(value),
        };

        private static string Requirement(string name, Domain domain) => domain switch
        {
            Domain.Positive => $"{name} must be positive and finite",
            _ => $"{name} must be a number or ±∞, not NaN",
        };
    }
}
