using System;
using System.Collections.Generic;
using System.Linq;
using TorchLosses.Engine;
using TorchLosses.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Conformance
{
    /// <summary>
    /// The engine's contract, for every loss in <see cref="EngineLosses"/>: the vector form and the composed ops give the same
    /// bits (values, and gradients of input, target and weight, with and without autograd), for tensors that fit in the SIMD
    /// tail alone (13 elements) and tensors of several ranges plus a tail (70,001), with ±0, the kinks ±τ, NaN, ±∞ and
    /// subnormals among the values; second order in both forms equals finite differences of the first; a failure inside
    /// backward ends in a managed exception, as does a saved tensor modified in place, at every size.
    /// </summary>
    public class EngineConformanceTests(ITestOutputHelper output)
    {
        public static readonly string[] Variants =
            { "mean", "sum", "none", "mean-target", "mean-both", "sum-both", "mean-weight", "none-weight", "mean-normalizer", "sum-weight-grad" };

        public static IEnumerable<object[]> FormCases() =>
            from name in EngineLosses.Names
            where EngineLosses.Named(name).HasVectorForm
            from dtype in new[] { ScalarType.Float32, ScalarType.Float64 }
            from elements in new[] { 13, 70_001 }
            from variant in Variants
            select new object[] { name, dtype, elements, variant };

        [Theory]
        [MemberData(nameof(FormCases))]
        public void Vector_form_and_composed_ops_agree_bit_for_bit(string name, ScalarType dtype, int elements, string variant)
        {
            using var scope = NewDisposeScope();
            var loss = EngineLosses.Named(name);
            var reduction = variant.StartsWith("mean") ? nn.Reduction.Mean : variant.StartsWith("sum") ? nn.Reduction.Sum : nn.Reduction.None;
            double? normalizer = variant == "mean-normalizer" ? 37.5 : null;
            var (input, target) = WithSpecialValues(elements, dtype, loss.Kinks.DefaultIfEmpty(loss.Scale).First());
            var weight = variant.Contains("weight") ? Inputs.Uniform(new long[] { elements }, dtype, 1.0, 3).abs() : null;
            var leaves = new List<Tensor>();
            if (!variant.EndsWith("target")) leaves.Add(input);
            if (variant.EndsWith("target") || variant.EndsWith("both")) leaves.Add(target);
            if (variant.EndsWith("weight-grad")) leaves.Add(weight!);
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(new long[] { elements }, dtype, 1.0, 4) : null;
            (Tensor Input, Tensor Target, Tensor? Weight) Arguments(Tensor[] l)
            {
                int k = 0;
                var i = variant.EndsWith("target") ? input : l[k++];
                var t = variant.EndsWith("target") || variant.EndsWith("both") ? l[k++] : target;
                var w = variant.EndsWith("weight-grad") ? l[k] : weight;
                return (i, t, w);
            }

            Assert.True(loss.Vectorizes(input, target), "the vector form should take this call");
            Gradients Run(bool composedOnly) => Gradients.Of(l =>
            {
                var (i, t, w) = Arguments(l);
                return loss.Run(i, t, reduction, w, normalizer, composedOnly);
            }, leaves.ToArray(), upstream);
            var composed = Run(composedOnly: true);
            var vectorized = Run(composedOnly: false);
            var value = Difference.Between(vectorized.Value, composed.Value);
            output.WriteLine($"value {value}");
            Assert.True(loss.FormsAgree(value), $"value: {value}");
            for (int k = 0; k < leaves.Count; k++)
            {
                var gradient = Difference.Between(vectorized.OfLeaves[k], composed.OfLeaves[k]);
                output.WriteLine($"gradient {k} {gradient}");
                Assert.True(loss.FormsAgree(gradient), $"gradient of leaf {k}: {gradient}");
            }

            using (no_grad())
            {
                var withoutGrad = loss.Run(input, target, reduction, weight, normalizer);
                var reference = loss.Run(input, target, reduction, weight, normalizer, composedOnly: true);
                Assert.True(loss.FormsAgree(Difference.Between(withoutGrad, reference)), $"no-grad value: {Difference.Between(withoutGrad, reference)}");
            }
        }

        public static IEnumerable<object[]> SecondOrderCases() =>
            from name in EngineLosses.Names
            from reduction in new[] { nn.Reduction.None, nn.Reduction.Mean, nn.Reduction.Sum }
            from weighted in new[] { false, true }
            select new object[] { name, reduction, weighted };

        /// <summary>
        /// With create_graph, the first-order gradients of input, target and weight carry a graph, and differentiating
        /// their dot product with fixed vectors gives the same bits in both forms and agrees with central differences of the
        /// first-order gradients (float64; elements within 10⁻³ of a kink are skipped, as the quotient straddles two branches).
        /// </summary>
        [Theory]
        [MemberData(nameof(SecondOrderCases))]
        public void Second_order_agrees_across_forms_and_with_finite_differences(string name, nn.Reduction reduction, bool weighted)
        {
            using var scope = NewDisposeScope();
            var loss = EngineLosses.Named(name);
            var shape = new long[] { 16, 4 };
            var leaves = new List<Tensor>
            {
                Inputs.Uniform(shape, ScalarType.Float64, 1.5 * loss.Scale, 31),
                Inputs.Uniform(shape, ScalarType.Float64, 0.5 * loss.Scale, 32),
            };
            if (weighted)
                leaves.Add(Inputs.Uniform(shape, ScalarType.Float64, 1.0, 33).abs());
            var upstream = Inputs.Uniform(shape, ScalarType.Float64, 1.0, 34);
            var directions = leaves.Select((_, k) => Inputs.Uniform(shape, ScalarType.Float64, 1.0, 40 + k)).ToArray();

            // Σ_k ⟨∂f/∂leaf_k, direction_k⟩ with f the loss (dotted with a fixed upstream for None): its gradient is the
            // Hessian of f times the directions.
            Tensor FirstOrder(Tensor[] l, bool composedOnly, bool createGraph)
            {
                var value = loss.Run(l[0], l[1], reduction, weighted ? l[2] : null, null, composedOnly);
                var scalar = reduction == nn.Reduction.None ? value.mul(upstream).sum() : value;
                var gradients = autograd.grad(new[] { scalar }, l, retain_graph: createGraph, create_graph: createGraph);
                Tensor? dot = null;
                for (int k = 0; k < l.Length; k++)
                {
                    Assert.True(!createGraph || gradients[k].requires_grad, $"the gradient of leaf {k} carries no graph");
                    var term = gradients[k].mul(directions[k]).sum();
                    dot = dot is null ? term : dot.add(term);
                }
                return dot!;
            }

            Tensor[] SecondOrder(bool composedOnly)
            {
                var fresh = leaves.Select(leaf => leaf.detach().requires_grad_(true)).ToArray();
                var dot = FirstOrder(fresh, composedOnly, createGraph: true);
                return autograd.grad(new[] { dot }, fresh, allow_unused: true)
                    .Select((g, k) => g is null || g.IsInvalid ? zeros_like(fresh[k]) : g).ToArray();
            }

            var composed = SecondOrder(composedOnly: true);
            var vectorized = SecondOrder(composedOnly: false);
            for (int k = 0; k < leaves.Count; k++)
            {
                // Hessian-vector products add several terms; where the forms differ by a few ulps (FormUlps > 0), that difference
                // shows relative to a sum smaller than its terms, so it is bounded relatively there.
                var difference = Difference.Between(vectorized[k], composed[k]);
                Assert.True(loss.FormUlps == 0 ? difference.Bitwise : difference.MaxRelative <= 1e-12, $"leaf {k}: {difference}");
            }

            const double step = 1e-6;
            var residual = HostValues.Of(leaves[0].sub(leaves[1]));
            bool NearKink(int element) => loss.Kinks.Any(kink => Math.Abs(Math.Abs(residual[element]) - kink) < 1e-3);
            for (int k = 0; k < leaves.Count; k++)
            {
                var analytic = HostValues.Of(composed[k]);
                for (int element = 0; element < analytic.Length; element++)
                {
                    if (NearKink(element))
                        continue;
                    double Shifted(double by)
                    {
                        var shifted = leaves.Select(leaf => leaf.detach().clone().requires_grad_(true)).ToArray();
                        using (no_grad())
                        {
                            var flat = shifted[k].view(-1);
                            using var delta = by.ToScalar();
                            flat[element].add_(delta);
                        }
                        return FirstOrder(shifted, composedOnly: true, createGraph: false).item<double>();
                    }
                    double numeric = (Shifted(step) - Shifted(-step)) / (2 * step);
                    Assert.True(Math.Abs(numeric - analytic[element]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)),
                        $"leaf {k} element {element}: analytic {analytic[element]}, central difference {numeric}");
                }
            }
        }

        public static IEnumerable<object[]> FailureCases() =>
            from name in new[] { "Huber δ=1", "SmoothL1 β=1/9" }
            from composedOnly in new[] { false, true }
            from shape in new[] { "scalar", "one", "matrix", "large" }
            from createGraph in new[] { false, true }
            select new object[] { name, composedOnly, shape, createGraph };

        /// <summary>
        /// An exception thrown inside backward (injected through the engine's test hook) must not end the process: the caller
        /// gets a managed exception from backward(), with or without create_graph, the cause goes to <see cref="LossWarnings"/>,
        /// and the next call works.
        /// </summary>
        [Theory]
        [MemberData(nameof(FailureCases))]
        public void A_failure_inside_backward_ends_in_a_managed_exception(string name, bool composedOnly, string shape, bool createGraph)
        {
            using var scope = NewDisposeScope();
            var loss = EngineLosses.Named(name);
            var size = shape switch { "scalar" => Array.Empty<long>(), "one" => new long[] { 1 }, "matrix" => new long[] { 5, 4 }, _ => new long[] { 70_001 } };
            var input = Inputs.Uniform(size, ScalarType.Float32, 1.0, 1).requires_grad_(true);
            var target = Inputs.Uniform(size, ScalarType.Float32, 1.0, 2);
            var marker = $"injected failure {Guid.NewGuid()}";
            var warnings = new System.Collections.Concurrent.ConcurrentQueue<string>(); // the event is static: other tests may raise too
            void Collect(string message) => warnings.Enqueue(message);
            LossWarnings.Warning += Collect;
            try
            {
                var value = loss.Run(input, target, composedOnly: composedOnly, backwardFault: () => throw new InvalidOperationException(marker));
                var error = Assert.ThrowsAny<Exception>(() =>
                {
                    // backward(), not autograd.grad: TorchSharp 0.107's autograd.grad does not catch libtorch errors at all
                    // (THSAutograd_grad has no CATCH), so any failure in a backward under it ends the process, libtorch's own
                    // kernels' included (docs/troubleshooting.md).
                    value.backward(create_graph: createGraph);
                });
                output.WriteLine(error.Message);
                Assert.Null(input.grad);
            }
            finally
            {
                LossWarnings.Warning -= Collect;
            }
            Assert.Contains(warnings, message => message.Contains(marker));

            var again = loss.Run(input, target, composedOnly: composedOnly);
            again.backward();
            Assert.NotNull(input.grad);
        }

        public static IEnumerable<object[]> InPlaceCases() =>
            from composedOnly in new[] { false, true }
            from elements in new[] { 13, 70_001 }
            from modified in new[] { "input", "target" }
            select new object[] { composedOnly, elements, modified };

        /// <summary>
        /// The engine saves input and target, as libtorch's fused kernels do, at every size; libtorch refuses to unpack a saved
        /// tensor modified in place, and that ends backward with a managed exception (not a crash, not a stale gradient).
        /// </summary>
        [Theory]
        [MemberData(nameof(InPlaceCases))]
        public void A_saved_tensor_modified_in_place_ends_backward_with_a_managed_exception(bool composedOnly, int elements, string modified)
        {
            using var scope = NewDisposeScope();
            var loss = EngineLosses.Named("Huber δ=1");
            var input = Inputs.Uniform(new long[] { elements }, ScalarType.Float32, 2.0, 1).requires_grad_(true);
            var target = Inputs.Uniform(new long[] { elements }, ScalarType.Float32, 1.0, 2);
            var prediction = input.mul(input); // a non-leaf, as a network's output, so it may be modified in place
            var value = loss.Run(prediction, target, composedOnly: composedOnly);
            using var two = 2.0.ToScalar();
            using (no_grad())
                (modified == "target" ? target : prediction).mul_(two);
            var warnings = new System.Collections.Concurrent.ConcurrentQueue<string>();
            void Collect(string message) => warnings.Enqueue(message);
            LossWarnings.Warning += Collect;
            try
            {
                var error = Assert.ThrowsAny<Exception>(() => value.backward());
                output.WriteLine(error.Message);
                Assert.Null(input.grad);
            }
            finally
            {
                LossWarnings.Warning -= Collect;
            }
            Assert.Contains(warnings, message => message.Contains("modified in place") && message.Contains("clone"));
        }

        [Fact]
        public void Calls_outside_the_vector_form_go_to_the_composed_ops()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float32, 1.0, 1);
            var target = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float32, 1.0, 2);
            bool Applies<TLoss>(TLoss loss, Tensor i, Tensor t) where TLoss : struct, IPointwiseLoss<TLoss>
            {
                var shapes = Validation.ArgumentChecks.Tensors(i, t, null);
                return VectorizedForm.Applies(loss.Prepared(i, shapes.Loss), i, t, shapes);
            }
            var huber = Huber.Of(1.0);
            Assert.True(Applies(huber, input, target));
            Assert.True(Applies(huber, input.to(ScalarType.Float64), target.to(ScalarType.Float64)));
            Assert.False(Applies(huber, input, target.t().contiguous().t()), "a non-contiguous target");
            Assert.False(Applies(huber, input.t(), target.t()), "non-contiguous input and target");
            Assert.False(Applies(huber, input, target[.., 0..1]), "a broadcast target");
            Assert.False(Applies(Huber.Of(Inputs.Of(ScalarType.Float32, 1, 1, 1, 1)), input, target), "per-coordinate thresholds");
            Assert.False(Applies(SmoothL1.Of(Inputs.Of(ScalarType.Float32, 1, 0, 1, 1)), input, target), "per-coordinate thresholds");
            Assert.False(Applies(huber, input.to(ScalarType.Float16), target.to(ScalarType.Float16)), "a half type");
            Assert.True(Applies(Huber.Of(1e300), input, target), "a threshold beyond float32's range (∞ there, as in libtorch)");
            Assert.False(Applies(huber, input[0..0], target[0..0]), "an empty tensor");
        }

        /// <summary>
        /// libtorch's thread count does not change the gradient's bits (the vector form splits large tensors into ranges, one
        /// per thread; libtorch's sum, whose order depends on the thread count, only reduces the value). In a collection of its
        /// own, because the thread count is global to the process.
        /// </summary>
        [Collection(ThreadCountCollection.Name)]
        public class ThreadCount
        {
            [Fact]
            public void Two_threads_give_the_bits_of_one()
            {
                using var scope = NewDisposeScope();
                var (input, target) = WithSpecialValues(600_001, ScalarType.Float32, 1.0);
                Gradients Run() => Gradients.Of(l => functional.smooth_l1_loss(l[0], target, nn.Reduction.Sum, 1.0 / 9), new[] { input });
                int before = get_num_threads();
                try
                {
                    set_num_threads(1);
                    var single = Run();
                    set_num_threads(2);
                    var parallel = Run();
                    var gradientDifference = Difference.Between(parallel.OfLeaves[0], single.OfLeaves[0]);
                    Assert.True(gradientDifference.Bitwise, gradientDifference.ToString());
                    // The value is libtorch's sum, whose order depends on its thread count: within a few ulps.
                    Assert.True(Difference.Between(parallel.Value, single.Value).MaxUlps <= 64);
                }
                finally
                {
                    set_num_threads(before);
                }
            }
        }

        /// <summary>Input uniform in ±3τ and target in ±τ, with input[k] = ±0, ±τ, NaN, ±∞ and a subnormal where target[k] = 0.</summary>
        internal static (Tensor Input, Tensor Target) WithSpecialValues(int elements, ScalarType dtype, double threshold)
        {
            double scale = threshold == 0 || double.IsInfinity(threshold) ? 1.0 : threshold;
            var input = Inputs.Uniform(new long[] { elements }, ScalarType.Float64, 1.5 * scale, 1);
            var target = Inputs.Uniform(new long[] { elements }, ScalarType.Float64, 0.5 * scale, 2);
            var specials = new[] { 0.0, -0.0, threshold, -threshold, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e-310, -3e-39 };
            for (int k = 0; k < specials.Length && k < elements; k++)
            {
                // Spread over the tensor, so that the SIMD body and the tail both meet them.
                long at = (long)k * elements / specials.Length;
                using var value = tensor(specials[k], ScalarType.Float64);
                using var zero = tensor(0.0, ScalarType.Float64);
                input[at] = value;
                target[at] = zero;
            }
            return (input.to(dtype), target.to(dtype));
        }
    }

    /// <summary>Tests that change libtorch's thread count, which is global to the process: never run beside others.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public static class ThreadCountCollection
    {
        public const string Name = "libtorch thread count";
    }
}
