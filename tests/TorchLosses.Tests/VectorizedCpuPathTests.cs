using System;
using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// The vectorized CPU path (<see cref="VectorizedCpuPath"/>) against the composed TorchSharp ops it replaces
    /// (<see cref="RobustLossKernel.Recorded"/>, which the parity tests tie to libtorch), bit for bit: values and
    /// gradients, in both autograd forms (the recorded multiply and the custom function) and without autograd, for
    /// tensors that fit in the SIMD tail alone (13 elements) and tensors of several parallel chunks plus a tail
    /// (70,001), with ±0, the kinks ±τ, NaN, ±∞ and a subnormal among the values.
    /// </summary>
    public class VectorizedCpuPathTests(ITestOutputHelper output)
    {
        public static IEnumerable<object[]> Cases() =>
            from rule in new (LossKind Kind, double Threshold)[]
            {
                (LossKind.Huber, 1.0), (LossKind.Huber, 0.3), (LossKind.Huber, double.PositiveInfinity),
                (LossKind.SmoothL1, 1.0), (LossKind.SmoothL1, 1.0 / 9), (LossKind.SmoothL1, 0.0), (LossKind.SmoothL1, double.PositiveInfinity),
            }
            from dtype in new[] { ScalarType.Float32, ScalarType.Float64 }
            from elements in new[] { 13, 70_001 }
            from variant in new[] { "mean", "sum", "none", "mean-target", "mean-both", "sum-both", "mean-weight", "none-weight", "mean-normalizer" }
            select new object[] { rule.Kind, rule.Threshold, dtype, elements, variant };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Both_autograd_forms_equal_the_composed_ops_bit_for_bit(LossKind kind, double threshold, ScalarType dtype, int elements, string variant)
        {
            using var scope = NewDisposeScope();
            var reduction = variant.StartsWith("mean") ? nn.Reduction.Mean : variant.StartsWith("sum") ? nn.Reduction.Sum : nn.Reduction.None;
            double? normalizer = variant == "mean-normalizer" ? 37.5 : null;
            var (input, target) = WithSpecialValues(elements, dtype, threshold);
            var weight = variant.EndsWith("weight") ? Inputs.Uniform(new long[] { elements }, dtype, 1.0, 3).abs() : null;
            var leaves = variant.EndsWith("target") ? new[] { target } : variant.EndsWith("both") ? new[] { input, target } : new[] { input };
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(new long[] { elements }, dtype, 1.0, 4) : null;
            (Tensor Input, Tensor Target) Arguments(Tensor[] l) =>
                variant.EndsWith("target") ? (input, l[0]) : variant.EndsWith("both") ? (l[0], l[1]) : (l[0], target);

            RobustLossCall Call(Tensor i, Tensor t) => new(ToKind(kind), threshold, reduction, normalizer, ArgumentChecks.Tensors(i, t, weight),
                InputRequiresGrad: i.requires_grad, TargetRequiresGrad: t.requires_grad, WeightRequiresGrad: false);

            var composed = Gradients.Of(l =>
            {
                var (i, t) = Arguments(l);
                return RobustLossKernel.Recorded(i, t, weight, null, Call(i, t));
            }, leaves, upstream);
            var forms = new Dictionary<string, Func<Tensor, Tensor, RobustLossCall, Tensor>>
            {
                ["recorded"] = (i, t, call) => VectorizedCpuPath.Recorded(i, t, weight, call),
                ["public"] = (i, t, call) => kind == LossKind.Huber
                    ? functional.huber_loss(i, t, threshold, reduction, weight, normalizer)
                    : functional.smooth_l1_loss(i, t, reduction, threshold, weight, normalizer),
            };
            if (weight is null)
                forms["custom function"] = (i, t, call) => VectorizedCpuFunction.apply(i, t, call);

            foreach (var (name, form) in forms)
            {
                var ours = Gradients.Of(l =>
                {
                    var (i, t) = Arguments(l);
                    var call = Call(i, t);
                    Assert.True(VectorizedCpuPath.Applies(i, t, weight, null, call), "the vectorized path should take this call");
                    return form(i, t, call);
                }, leaves, upstream);
                var value = Difference.Between(ours.Value, composed.Value);
                output.WriteLine($"{name}: value {value}");
                Assert.True(value.Bitwise, $"{name} value: {value}");
                for (int k = 0; k < leaves.Length; k++)
                {
                    var gradient = Difference.Between(ours.OfLeaves[k], composed.OfLeaves[k]);
                    output.WriteLine($"{name}: gradient {k} {gradient}");
                    Assert.True(gradient.Bitwise, $"{name} gradient of leaf {k}: {gradient}");
                }
            }

            // Without autograd: the elementwise loss and its reduction alone.
            using (no_grad())
            {
                var call = Call(input, target);
                var withoutGrad = VectorizedCpuPath.Compute(input, target, weight, call);
                var reference = RobustLossKernel.Forward(input, target, weight, null, call).Loss;
                Assert.True(Difference.Between(withoutGrad, reference).Bitwise, $"no-grad value: {Difference.Between(withoutGrad, reference)}");
            }
        }

        [Fact]
        public void Upstream_gradient_other_than_one_keeps_each_form_within_two_ulps_of_the_composed_ops()
        {
            // The recorded form folds 1/N into the local gradient ((c/N)·g); the composed ops multiply (g/N)·c.
            using var scope = NewDisposeScope();
            var (input, target) = WithSpecialValues(70_001, ScalarType.Float32, 1.0);
            var call = new RobustLossCall(RobustLossKind.Huber, 1.0, nn.Reduction.Mean, null, ArgumentChecks.Tensors(input, target, null),
                InputRequiresGrad: true, TargetRequiresGrad: false, WeightRequiresGrad: false);
            var upstream = tensor(0.37f);
            var composed = Gradients.Of(l => RobustLossKernel.Recorded(l[0], target, null, null, call), new[] { input }, upstream);
            foreach (var form in new Func<Tensor, Tensor>[] { i => VectorizedCpuPath.Recorded(i, target, null, call), i => VectorizedCpuFunction.apply(i, target, call) })
            {
                var ours = Gradients.Of(l => form(l[0]), new[] { input }, upstream);
                var gradient = Difference.Between(ours.OfLeaves[0], composed.OfLeaves[0]);
                Assert.True(gradient.MaxUlps <= 2, gradient.ToString());
            }
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Input_or_target_modified_in_place_before_backward_fails_with_a_managed_exception(bool modifyTarget)
        {
            // The custom function saves input and target, as libtorch's fused kernels do; libtorch refuses to unpack a saved
            // tensor modified in place. That must end backward with a managed exception (not a crash, not a gradient).
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { VectorizedCpuPath.CustomFunctionFrom / 4, 4 }, ScalarType.Float32, 2.0, 1).requires_grad_(true);
            var target = Inputs.Uniform(new long[] { VectorizedCpuPath.CustomFunctionFrom / 4, 4 }, ScalarType.Float32, 1.0, 2);
            var prediction = input.mul(input); // a non-leaf, as a network's output, so it may be modified in place
            var loss = functional.huber_loss(prediction, target);
            using var two = 2.0.ToScalar();
            using (no_grad())
                (modifyTarget ? target : prediction).mul_(two);
            var warnings = new System.Collections.Concurrent.ConcurrentQueue<string>(); // the event is static: other tests may raise too
            void Collect(string message) => warnings.Enqueue(message);
            LossWarnings.Warning += Collect;
            try
            {
                var error = Assert.ThrowsAny<Exception>(() => loss.backward());
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
        public void Calls_outside_the_fast_path_go_to_the_composed_ops()
        {
            using var scope = NewDisposeScope();
            var input = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float32, 1.0, 1);
            var target = Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float32, 1.0, 2);
            bool Applies(Tensor i, Tensor t, Tensor? w = null, Tensor? thresholds = null, double threshold = 1.0)
            {
                var call = new RobustLossCall(RobustLossKind.Huber, threshold, nn.Reduction.Mean, null, ArgumentChecks.Tensors(i, t, w),
                    InputRequiresGrad: true, TargetRequiresGrad: false, WeightRequiresGrad: w is not null && w.requires_grad);
                return VectorizedCpuPath.Applies(i, t, w, thresholds, call);
            }
            Assert.True(Applies(input, target));
            Assert.True(Applies(input, target, Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float32, 1.0, 3)));
            Assert.False(Applies(input, target.t().contiguous().t()), "a non-contiguous target");
            Assert.False(Applies(input.t(), target.t()), "non-contiguous input and target");
            Assert.False(Applies(input, target[.., 0..1]), "a broadcast target");
            Assert.False(Applies(input, target, Inputs.Uniform(new long[] { 4 }, ScalarType.Float32, 1.0, 3)), "a broadcast weight");
            Assert.False(Applies(input, target, Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float64, 1.0, 3)), "a weight of another dtype");
            Assert.False(Applies(input, target, Inputs.Uniform(new long[] { 8, 4 }, ScalarType.Float32, 1.0, 3).requires_grad_(true)), "a weight that needs a gradient");
            Assert.False(Applies(input, target, thresholds: Inputs.Of(ScalarType.Float32, 1, 1, 1, 1)), "per-coordinate thresholds");
            Assert.False(Applies(input.to(ScalarType.Float16), target.to(ScalarType.Float16)), "a half type");
            Assert.False(Applies(input, target, threshold: 1e300), "a threshold that overflows float32 (libtorch refuses it)");
            Assert.False(Applies(input[0..0], target[0..0]), "an empty tensor");
        }

        /// <summary>
        /// Chunks run in parallel when libtorch has more than one thread: the result is the same bits as on one thread.
        /// In a collection of its own, because the thread count is global to the process.
        /// </summary>
        [Collection(ThreadCountCollection.Name)]
        public class ParallelChunks
        {
            [Fact]
            public void Two_threads_give_the_bits_of_one()
            {
                using var scope = NewDisposeScope();
                var (input, target) = WithSpecialValues(300_001, ScalarType.Float32, 1.0);
                Gradients Run() => Gradients.Of(l => functional.smooth_l1_loss(l[0], target, nn.Reduction.Sum, 1.0 / 9), new[] { input });
                int before = get_num_threads();
                try
                {
                    set_num_threads(1);
                    var single = Run();
                    set_num_threads(2);
                    var parallel = Run();
                    Assert.True(Difference.Between(parallel.OfLeaves[0], single.OfLeaves[0]).Bitwise);
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

        private static RobustLossKind ToKind(LossKind kind) => kind == LossKind.Huber ? RobustLossKind.Huber : RobustLossKind.SmoothL1;
    }

    /// <summary>Tests that change libtorch's thread count, which is global to the process: never run beside others.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public static class ThreadCountCollection
    {
        public const string Name = "libtorch thread count";
    }
}
