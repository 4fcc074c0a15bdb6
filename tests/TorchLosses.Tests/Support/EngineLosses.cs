using System;
using System.Collections.Generic;
using System.Linq;
using TorchLosses.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Support
{
    /// <summary>
    /// Every loss definition the engine carries, at the parameters the conformance tests run, behind one signature.
    /// A new loss adds its rows here; <see cref="Conformance.EngineConformanceTests"/> then holds it to the engine's
    /// contract (vector and composed forms bit for bit, second order against finite differences, backward failures, leaks).
    /// </summary>
    internal static class EngineLosses
    {
        /// <summary>One loss at one set of parameters.</summary>
        /// <param name="Name">How test output names it.</param>
        /// <param name="Kinks">Where ρ is not twice differentiable (|x| at these values), for finite differences to skip.</param>
        /// <param name="Scale">A typical residual size: test inputs spread over a few of these.</param>
        /// <param name="Compute">The engine's loss: (input, target, reduction, weight, normalizer, composed only, backward fault).</param>
        /// <param name="VectorFormApplies">Whether the engine takes the vector form for (input, target).</param>
        /// <param name="HasVectorForm">Whether the loss has a vector form at all (at number parameters, float32 and float64).</param>
        /// <param name="FormUlps">How far the vector form may be from the composed ops, in ulps: 0 (bit for bit) unless the composed
        /// ops use a libtorch function that is not correctly rounded (libtorch's sqrt over large float tensors is not; the vector
        /// form's is).</param>
        internal sealed record Entry(string Name, double[] Kinks, double Scale,
            Func<Tensor, Tensor, nn.Reduction, Tensor?, double?, bool, Action?, Tensor> Compute,
            Func<Tensor, Tensor, bool> VectorFormApplies, bool HasVectorForm, long FormUlps)
        {
            /// <summary>Whether the two forms' results <paramref name="difference"/> apart are as close as this loss promises.</summary>
            public bool FormsAgree(Difference difference) => FormUlps == 0 ? difference.Bitwise : difference.MaxUlps <= FormUlps;

            public bool Vectorizes(Tensor input, Tensor target) => VectorFormApplies(input, target);

            public Tensor Run(Tensor input, Tensor target, nn.Reduction reduction = nn.Reduction.Mean, Tensor? weight = null,
                double? normalizer = null, bool composedOnly = false, Action? backwardFault = null) =>
                Compute(input, target, reduction, weight, normalizer, composedOnly, backwardFault);

            public override string ToString() => Name;
        }

        private static Entry Of<TLoss>(string name, TLoss loss, double scale, params double[] kinks) where TLoss : struct, IPointwiseLoss<TLoss> =>
            Of(name, loss, scale, 0, kinks);

        private static Entry Of<TLoss>(string name, TLoss loss, double scale, long formUlps, params double[] kinks) where TLoss : struct, IPointwiseLoss<TLoss> =>
            new(name, kinks, scale, (i, t, r, w, n, composed, fault) => LossEngine.Compute(loss, i, t, r, w, n, name, composed, fault),
                (i, t) =>
                {
                    var shapes = Validation.ArgumentChecks.Tensors(i, t, null);
                    return VectorizedForm.Applies(loss.Prepared(i, shapes.Loss), i, t, shapes);
                }, loss.Vectorizes(ScalarType.Float32) && loss.Vectorizes(ScalarType.Float64), formUlps);

        public static readonly Entry[] All =
        {
            Of("Huber δ=1", Huber.Of(1.0), 1.0, 1.0),
            Of("Huber δ=0.3", Huber.Of(0.3), 0.3, 0.3),
            Of("Huber δ=∞", Huber.Of(double.PositiveInfinity), 1.0),
            Of("SmoothL1 β=1", SmoothL1.Of(1.0), 1.0, 1.0),
            Of("SmoothL1 β=1/9", SmoothL1.Of(1.0 / 9), 1.0 / 9, 1.0 / 9),
            Of("SmoothL1 β=0", SmoothL1.Of(0.0), 1.0, 0.0),
            Of("SmoothL1 β=∞", SmoothL1.Of(double.PositiveInfinity), 1.0),
            Of("PseudoHuber δ=1", PseudoHuber.Of(1.0), 1.0, formUlps: 8),
            Of("PseudoHuber δ=0.3", PseudoHuber.Of(0.3), 0.3, formUlps: 8),
            Of("General α=1.5 c=0.7", GeneralRobust.Of(1.5, 0.7), 0.7),
            Of("General α=0 c=1", GeneralRobust.Of(0.0, 1.0), 1.0),
            Of("General α=-2 c=1", GeneralRobust.Of(-2.0, 1.0), 1.0),
            Of("General α=2 c=0.5", GeneralRobust.Of(2.0, 0.5), 0.5),
            Of("General α=-∞ c=1", GeneralRobust.Of(double.NegativeInfinity, 1.0), 1.0),
            Of("General α=1e-9 c=1", GeneralRobust.Of(1e-9, 1.0), 1.0),
            Of("LogCosh", new LogCosh(), 1.0),
            Of("BalancedL1 default", BalancedL1.Of(0.5, 1.5, 1.0), 1.0, 0.0, 1.0),
            Of("BalancedL1 α=1 γ=2 β=0.5", BalancedL1.Of(1.0, 2.0, 0.5), 0.5, 0.0, 0.5),
        };

        /// <summary>The entry called <paramref name="name"/>.</summary>
        public static Entry Named(string name) => All.Single(entry => entry.Name == name);

        /// <summary>The names, as theory data.</summary>
        public static IEnumerable<string> Names => All.Select(entry => entry.Name);
    }
}
