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
        private readonly bool learnable;

        private LossParameter(string name, Domain domain, bool learnable, double number, Tensor? tensor)
        {
            this.name = name;
            this.domain = domain;
            this.learnable = learnable;
            Number = number;
            Tensor = tensor;
        }

        /// <summary>One value. Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> when it is outside <paramref name="domain"/>.</summary>
        public static LossParameter Of(double value, string name, Domain domain)
        {
            if (!Valid(value, domain))
                throw new ArgumentOutOfRangeException(name, value, Requirement(name, domain) + $"; got {value}.");
            return new LossParameter(name, domain, learnable: false, value, null);
        }

        /// <summary>
        /// One value per sample or coordinate, checked against each call by <see cref="Prepared"/>: a constant of the graph
        /// unless <paramref name="learnable"/> (then a tensor that requires a gradient gets one).
        /// </summary>
        public static LossParameter Of(Tensor value, string name, Domain domain, bool learnable) =>
            new(name, domain, learnable, double.NaN, value ?? throw new ArgumentNullException(name));

        /// <summary>The value when it is one number (NaN when <see cref="Tensor"/> is set).</summary>
        public double Number { get; }

        /// <summary>The values per sample or coordinate, or null when the parameter is one number.</summary>
        public Tensor? Tensor { get; }

        /// <summary>Whether the parameter is a tensor that requires a gradient.</summary>
        public bool Learnable => learnable && Tensor is { requires_grad: true };

        /// <summary>The tensor, as the engine saves it (none for a number).</summary>
        public Tensor[] Tensors => Tensor is null ? Array.Empty<Tensor>() : new[] { Tensor };

        /// <summary>This parameter with its tensor replaced by <paramref name="tensor"/>.</summary>
        public LossParameter WithTensor(Tensor? tensor) => new(name, domain, learnable, Number, tensor);

        /// <summary>
        /// The tensor checked against the call (<see cref="ParameterChecks.ParameterTensor"/>: dtype, device, shape, its values
        /// in the domain) and in input's dtype; attached to the graph only when the parameter is learnable and requires a gradient.
        /// </summary>
        public LossParameter Prepared(Tensor input, long[] lossShape)
        {
            if (Tensor is not { } tensor)
                return this;
            var positive = domain == Domain.Positive;
            return WithTensor(ParameterChecks.ParameterTensor(tensor, name, input, lossShape,
                "give one value, one per sample (shape [N, 1]) or one per coordinate (shape [D]).",
                values => Invalid(values, positive), "every entry of " + Requirement(name, domain) + ".", learnable));
        }

        private static Tensor Invalid(Tensor values, bool positive)
        {
            var invalid = values.isnan();
            if (positive)
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
