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
    /// Second order: the first-order gradient taken with <c>create_graph</c> must carry a graph whose backward is libtorch's
    /// <c>huber_loss_double_backward</c> / <c>smooth_l1_loss_double_backward</c> (mask |x| &lt; τ, divided by β for
    /// Smooth L1 and by N for Mean), so Hessian-vector products, gradient penalties and finite differences of the gradient
    /// all agree with libtorch. Every <c>autograd.grad</c> goes through <see cref="SecondOrder.Grad"/>, which asserts a
    /// graph first (in TorchSharp 0.107 a grad call on an output without one aborts the process). Set SECOND_ORDER_LOG to
    /// a file path to append every measured difference to it.
    /// </summary>
    [Trait("Category", "SecondOrder")]
    public class SecondOrderTests(ITestOutputHelper output)
    {
        private static readonly (LossKind Kind, double Value)[] Thresholds =
        {
            (LossKind.Huber, 1.0), (LossKind.Huber, 0.3), (LossKind.SmoothL1, 1.0), (LossKind.SmoothL1, 0.5), (LossKind.SmoothL1, 1.0 / 9),
        };

        private static readonly ScalarType[] FullTypes = { ScalarType.Float32, ScalarType.Float64 };
        private static readonly ScalarType[] HalfTypes = { ScalarType.Float16, ScalarType.BFloat16 };

        /// <summary>
        /// Sizes on both sides of 65,536, where the engine starts handing a leaf in through a view; 7, 65,535 and 100,003
        /// make 1/N inexact.
        /// </summary>
        private static readonly int[] LargeSizes = { 65535, 65536, 100003 };

        private static readonly string[] InputTarget = { "input", "target" };

        // ---------------------------------------------------------------- 1. Hessian-vector products against libtorch

        public static IEnumerable<object[]> HessianCases() =>
            (from threshold in Thresholds
             from reduction in ParityTests.Reductions
             from dtype in FullTypes
             from size in new[] { 7, 2048 }
             select new object[] { threshold.Kind, threshold.Value, reduction, dtype, size })
            .Concat(
             from threshold in new[] { (LossKind.Huber, 1.0), (LossKind.SmoothL1, 0.5) }
             from reduction in ParityTests.Reductions
             from dtype in FullTypes
             from size in LargeSizes
             select new object[] { threshold.Item1, threshold.Item2, reduction, dtype, size })
            .Concat(
             from threshold in Thresholds
             from reduction in ParityTests.Reductions
             from dtype in HalfTypes
             select new object[] { threshold.Kind, threshold.Value, reduction, dtype, 2048 });

        /// <summary>
        /// f = loss(input, target); g = grad(f, [input, target], create_graph); then grad((g_input·v).sum()) and
        /// grad((g_target·u).sum()) with respect to input, target and, for reduction None, the upstream gradient (which then
        /// requires grad). Each directional derivative is one product per element (no sums), so it is compared in ulps.
        /// In float16/bfloat16 some |x| equal τ exactly, so these cases also hold the engine to libtorch's strict |x| &lt; τ.
        /// </summary>
        [Theory]
        [MemberData(nameof(HessianCases))]
        public void Hessian_vector_products_match_libtorch(LossKind kind, double threshold, nn.Reduction reduction, ScalarType dtype, int size)
        {
            using var scope = NewDisposeScope();
            var shape = new long[] { size };
            var leaves = new[] { Inputs.Uniform(shape, dtype, threshold, 1), Inputs.Uniform(shape, dtype, threshold, 2) };
            var directions = new[] { Inputs.Uniform(shape, dtype, 0.5, 3), Inputs.Uniform(shape, dtype, 0.5, 4) };
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(shape, dtype, 0.5, 5) : null;

            var reference = SecondOrder.Of(l => Losses.Libtorch(kind, l[0], l[1], threshold, reduction), leaves, InputTarget, directions, upstream, true);
            var ours = SecondOrder.Of(l => Losses.Ours(kind, l[0], l[1], threshold, reduction), leaves, InputTarget, directions, upstream, true);
            AssertMatches(ours, reference, component => SecondOrderBounds.AllowedUlps(kind, threshold, dtype, reduction, size, SecondOrderBounds.Variant.Plain, component),
                $"{kind}\t{threshold}\t{reduction}\t{dtype}\t{size}");
        }

        // ---------------------------------------------------------------- harness check: libtorch against the formula

        public static IEnumerable<object[]> ReferenceCases() =>
            from threshold in new[] { (LossKind.Huber, 1.0), (LossKind.Huber, 0.3), (LossKind.SmoothL1, 0.5), (LossKind.SmoothL1, 1.0 / 9) }
            from reduction in ParityTests.Reductions
            from dtype in FullTypes
            from size in new[] { 7, 2048 }
            select new object[] { threshold.Item1, threshold.Item2, reduction, dtype, size };

        /// <summary>
        /// The harness and the reference themselves: libtorch's directional second derivative is, bit for bit,
        /// ((v·go)·[|x| &lt; τ]) / β / N written out on the host in the dtype's arithmetic (β only for Smooth L1, N only for
        /// Mean, go = 1 unless reduction None), with the opposite sign across input and target; and its derivative with
        /// respect to the upstream gradient is libtorch's own first-order gradient with upstream v.
        /// </summary>
        [Theory]
        [MemberData(nameof(ReferenceCases))]
        public void Harness_check_libtorch_double_backward_is_the_masked_scale(LossKind kind, double threshold, nn.Reduction reduction, ScalarType dtype, int size)
        {
            using var scope = NewDisposeScope();
            var shape = new long[] { size };
            var input = Inputs.Uniform(shape, dtype, threshold, 1);
            var target = Inputs.Uniform(shape, dtype, threshold, 2);
            var directions = new[] { Inputs.Uniform(shape, dtype, 0.5, 3), Inputs.Uniform(shape, dtype, 0.5, 4) };
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(shape, dtype, 0.5, 5) : null;
            var libtorch = SecondOrder.Of(l => Losses.Libtorch(kind, l[0], l[1], threshold, reduction), new[] { input, target }, InputTarget, directions, upstream, true);

            bool single = dtype == ScalarType.Float32;
            double Round(double value) => single ? (float)value : value;
            var a = HostValues.Of(input);
            var b = HostValues.Of(target);
            var go = upstream is null ? null : HostValues.Of(upstream);
            double tau = Round(threshold);
            double[] Expected(double[] direction, double sign) => direction.Select((v, i) =>
            {
                double mask = Math.Abs(Round(a[i] - b[i])) < tau ? 1 : 0;
                double e = Round(Round(v * (go?[i] ?? 1)) * mask);
                if (kind == LossKind.SmoothL1)
                    e = Round(e / tau);
                if (reduction == nn.Reduction.Mean)
                    e = Round(e / size);
                return sign * e;
            }).ToArray();

            for (int k = 0; k < 2; k++)
            {
                var v = HostValues.Of(directions[k]);
                // Direction on g_input: +e on input, −e on target; on g_target the reverse.
                AssertBitwise(Expected(v, k == 0 ? 1 : -1), libtorch.Directional[k][0], $"∂(g_{InputTarget[k]}·d)/∂input");
                AssertBitwise(Expected(v, k == 0 ? -1 : 1), libtorch.Directional[k][1], $"∂(g_{InputTarget[k]}·d)/∂target");
                if (upstream is not null)
                {
                    var firstOrder = Evaluation.Of((x, t) => Losses.Libtorch(kind, x, t, threshold, reduction), input, target, directions[k]);
                    var expected = k == 0 ? firstOrder.InputGradient : firstOrder.TargetGradient;
                    var difference = Difference.Between(libtorch.Directional[k][2]!, expected);
                    Assert.True(difference.Bitwise, $"∂(g_{InputTarget[k]}·d)/∂upstream: {difference}");
                }
            }
        }

        private static void AssertBitwise(double[] expected, Tensor? actual, string what)
        {
            Assert.True(actual is not null, $"{what}: undefined");
            var values = HostValues.Of(actual!);
            int mismatches = expected.Where((e, i) => BitConverter.DoubleToInt64Bits(e) != BitConverter.DoubleToInt64Bits(values[i])).Count();
            Assert.True(mismatches == 0, $"{what}: {mismatches}/{expected.Length} differ from the formula");
        }

        // ---------------------------------------------------------------- 2. weight, normalizer, per-coordinate thresholds, target only

        private static readonly (LossKind Kind, double Value)[] OnePerKind = { (LossKind.Huber, 0.3), (LossKind.SmoothL1, 1.0 / 9) };

        private static long[] Shape(string name) => name.Split('x').Select(long.Parse).ToArray();

        /// <summary>
        /// The composed reference of the weighted, normalised and per-coordinate forms: libtorch's elementwise loss (one
        /// call per column with its own threshold for a threshold tensor; <c>l1_loss</c> for a β = 0 column), times the
        /// weight, then summed, or averaged (<c>mean()</c>), or summed and divided by the normaliser.
        /// </summary>
        private static Tensor Composed(LossKind kind, Tensor input, Tensor target, double[] thresholds, nn.Reduction reduction, Tensor? weight, double? normalizer)
        {
            var elementwise = thresholds.Length == 1
                ? Losses.Libtorch(kind, input, target, thresholds[0], nn.Reduction.None)
                : stack(Enumerable.Range(0, thresholds.Length).Select(j => thresholds[j] == 0
                    ? nn.functional.l1_loss(input.select(1, j), target.select(1, j), nn.Reduction.None)
                    : Losses.Libtorch(kind, input.select(1, j), target.select(1, j), thresholds[j], nn.Reduction.None)).ToArray(), 1);
            if (weight is not null)
                elementwise = elementwise.mul(weight);
            switch (reduction)
            {
                case nn.Reduction.None: return elementwise;
                case nn.Reduction.Sum: return elementwise.sum();
                default:
                    if (normalizer is not double n)
                        return elementwise.mean();
                    using (var divisor = n.ToScalar())
                        return elementwise.sum().div(divisor);
            }
        }

        public static IEnumerable<object[]> WeightCases() =>
            (from threshold in OnePerKind
             from reduction in ParityTests.Reductions
             from dtype in FullTypes
             from weight in new[] { ("512x4", false), ("512x4", true), ("4", true) }
             select new object[] { threshold.Kind, threshold.Value, reduction, dtype, "512x4", weight.Item1, weight.Item2 })
            .Concat(
             // 100,004 elements with a same-shape weight that needs no gradient: the vectorized CPU path.
             from threshold in new[] { (LossKind.Huber, 1.0), (LossKind.SmoothL1, 0.5) }
             from reduction in ParityTests.Reductions
             from dtype in FullTypes
             select new object[] { threshold.Item1, threshold.Item2, reduction, dtype, "25001x4", "25001x4", false });

        /// <summary>
        /// loss = reduce(weight·ℓ) against libtorch's <c>reduce(weight * huber_loss(reduction None))</c>; with a weight that
        /// requires grad the weight is a leaf too, so the mixed derivatives ∂²/∂x∂w are compared as well.
        /// </summary>
        [Theory]
        [MemberData(nameof(WeightCases))]
        public void Weighted_second_derivatives_match_libtorch_composition(LossKind kind, double threshold, nn.Reduction reduction, ScalarType dtype,
            string lossShape, string weightShape, bool weightRequiresGrad)
        {
            using var scope = NewDisposeScope();
            var shape = Shape(lossShape);
            var input = Inputs.Uniform(shape, dtype, threshold, 1);
            var target = Inputs.Uniform(shape, dtype, threshold, 2);
            var weight = Inputs.Uniform(Shape(weightShape), dtype, 1.0, 3).abs();
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(shape, dtype, 0.5, 5) : null;
            var leaves = weightRequiresGrad ? new[] { input, target, weight } : new[] { input, target };
            var names = weightRequiresGrad ? new[] { "input", "target", "weight" } : InputTarget;
            var directions = leaves.Select((leaf, k) => Inputs.Uniform(leaf.shape, dtype, 0.5, 10 + k)).ToArray();

            Tensor W(Tensor[] l) => weightRequiresGrad ? l[2] : weight;
            var reference = SecondOrder.Of(l => Composed(kind, l[0], l[1], new[] { threshold }, reduction, W(l), null), leaves, names, directions, upstream, true);
            var ours = SecondOrder.Of(l => Losses.Ours(kind, l[0], l[1], threshold, reduction, W(l)), leaves, names, directions, upstream, true);
            AssertMatches(ours, reference, component => SecondOrderBounds.AllowedUlps(kind, threshold, dtype, reduction, shape.Aggregate(1L, (a, b) => a * b),
                SecondOrderBounds.Variant.Weighted, component), $"weighted {kind}\t{threshold}\t{reduction}\t{dtype}\t{lossShape}\t{weightShape}\t{weightRequiresGrad}");
        }

        public static IEnumerable<object[]> NormalizerCases() =>
            (from threshold in OnePerKind
             from dtype in FullTypes
             from variant in new[] { (3.0, "none"), (0.7, "none"), (0.7, "fixed"), (0.7, "grad") }
             select new object[] { threshold.Kind, threshold.Value, dtype, variant.Item1, variant.Item2, "512x4" })
            .Concat(
             from threshold in new[] { (LossKind.Huber, 1.0), (LossKind.SmoothL1, 0.5) }
             from dtype in FullTypes
             select new object[] { threshold.Item1, threshold.Item2, dtype, 3.0, "none", "25001x4" });

        /// <summary>Mean with a normaliser: the reference is (ℓ·w).sum() / normaliser.</summary>
        [Theory]
        [MemberData(nameof(NormalizerCases))]
        public void Normalized_second_derivatives_match_libtorch_composition(LossKind kind, double threshold, ScalarType dtype, double normalizer, string weighting, string lossShape)
        {
            using var scope = NewDisposeScope();
            var shape = Shape(lossShape);
            var input = Inputs.Uniform(shape, dtype, threshold, 1);
            var target = Inputs.Uniform(shape, dtype, threshold, 2);
            var weight = weighting == "none" ? null : Inputs.Uniform(new long[] { 4 }, dtype, 1.0, 3).abs();
            bool weightLeaf = weighting == "grad";
            var leaves = weightLeaf ? new[] { input, target, weight! } : new[] { input, target };
            var names = weightLeaf ? new[] { "input", "target", "weight" } : InputTarget;
            var directions = leaves.Select((leaf, k) => Inputs.Uniform(leaf.shape, dtype, 0.5, 10 + k)).ToArray();

            Tensor? W(Tensor[] l) => weightLeaf ? l[2] : weight;
            var reference = SecondOrder.Of(l => Composed(kind, l[0], l[1], new[] { threshold }, nn.Reduction.Mean, W(l), normalizer), leaves, names, directions);
            var ours = SecondOrder.Of(l => Losses.Ours(kind, l[0], l[1], threshold, nn.Reduction.Mean, W(l), normalizer), leaves, names, directions);
            AssertMatches(ours, reference, component => SecondOrderBounds.AllowedUlps(kind, threshold, dtype, nn.Reduction.Mean, shape.Aggregate(1L, (a, b) => a * b),
                SecondOrderBounds.Variant.Normalized, component), $"normalized {kind}\t{threshold}\t{dtype}\t{normalizer}\t{weighting}\t{lossShape}");
        }

        private static double[] ColumnThresholds(LossKind kind, ScalarType dtype) =>
            (kind == LossKind.Huber ? new[] { 0.5, 1.0, 0.3, 2.0 } : new[] { 0.5, 0.0, 1.0 / 9, 2.0 })
            .Select(value => Inputs.Representable(value, dtype)).ToArray();

        public static IEnumerable<object[]> TensorThresholdCases() =>
            (from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
             from reduction in ParityTests.Reductions
             from dtype in FullTypes
             select new object[] { kind, reduction, dtype, "512x4" })
            .Concat(
             from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
             select new object[] { kind, nn.Reduction.Mean, ScalarType.Float64, "25001x4" });

        /// <summary>
        /// One δ or β per column (Smooth L1's with a β = 0 column, which is L1: zero curvature there), against libtorch
        /// column by column. The threshold is a constant: it requires no grad and gets none.
        /// </summary>
        [Theory]
        [MemberData(nameof(TensorThresholdCases))]
        public void Per_coordinate_threshold_second_derivatives_match_libtorch_per_column(LossKind kind, nn.Reduction reduction, ScalarType dtype, string lossShape)
        {
            using var scope = NewDisposeScope();
            var shape = Shape(lossShape);
            var thresholds = ColumnThresholds(kind, dtype);
            var thresholdTensor = Inputs.Of(dtype, thresholds);
            var leaves = new[] { Inputs.Uniform(shape, dtype, 1.0, 1), Inputs.Uniform(shape, dtype, 1.0, 2) };
            var directions = new[] { Inputs.Uniform(shape, dtype, 0.5, 3), Inputs.Uniform(shape, dtype, 0.5, 4) };
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(shape, dtype, 0.5, 5) : null;

            var reference = SecondOrder.Of(l => Composed(kind, l[0], l[1], thresholds, reduction, null, null), leaves, InputTarget, directions, upstream, true);
            var ours = SecondOrder.Of(l => Losses.Ours(kind, l[0], l[1], thresholdTensor, reduction), leaves, InputTarget, directions, upstream, true);
            AssertMatches(ours, reference, component => SecondOrderBounds.AllowedUlps(kind, thresholds, dtype, reduction, shape.Aggregate(1L, (a, b) => a * b), component),
                $"tensor threshold {kind}\t{reduction}\t{dtype}\t{lossShape}");
        }

        public static IEnumerable<object[]> TargetOnlyCases() =>
            from threshold in new[] { (LossKind.Huber, 1.0), (LossKind.SmoothL1, 0.5) }
            from dtype in FullTypes
            from size in new[] { 2048, 100003 }
            select new object[] { threshold.Item1, threshold.Item2, dtype, size };

        /// <summary>Only the target requires grad (the input is data): its curvature is libtorch's.</summary>
        [Theory]
        [MemberData(nameof(TargetOnlyCases))]
        public void Second_derivatives_with_respect_to_the_target_alone_match_libtorch(LossKind kind, double threshold, ScalarType dtype, int size)
        {
            using var scope = NewDisposeScope();
            var shape = new long[] { size };
            var input = Inputs.Uniform(shape, dtype, threshold, 1);
            var leaves = new[] { Inputs.Uniform(shape, dtype, threshold, 2) };
            var directions = new[] { Inputs.Uniform(shape, dtype, 0.5, 4) };
            var names = new[] { "target" };
            var reference = SecondOrder.Of(l => Losses.Libtorch(kind, input, l[0], threshold, nn.Reduction.Mean), leaves, names, directions);
            var ours = SecondOrder.Of(l => Losses.Ours(kind, input, l[0], threshold, nn.Reduction.Mean), leaves, names, directions);
            AssertMatches(ours, reference, component => SecondOrderBounds.AllowedUlps(kind, threshold, dtype, nn.Reduction.Mean, size, SecondOrderBounds.Variant.Plain, component),
                $"target only {kind}\t{threshold}\t{dtype}\t{size}");
        }

        // ---------------------------------------------------------------- β = 0 and the kink

        public static IEnumerable<object[]> BetaZeroCases() =>
            from reduction in ParityTests.Reductions
            from dtype in FullTypes
            from size in new[] { 7, 65536 }
            select new object[] { reduction, dtype, size };

        /// <summary>
        /// Smooth L1 with β = 0 is exactly L1: first derivative sign(x)·scale, 0 where x = 0 (libtorch's smooth_l1_loss
        /// gives −1 there, so the expectation is written out, not libtorch's), and second derivative 0 everywhere, yet the
        /// first-order gradient must carry a graph (as libtorch's l1_loss gradient does) so that a gradient penalty built on
        /// it runs: the second derivatives are defined and zero, and for reduction None the derivative with respect to the
        /// upstream gradient is sign(x)·v.
        /// </summary>
        [Theory]
        [MemberData(nameof(BetaZeroCases))]
        public void Beta_zero_is_l1_with_zero_curvature(nn.Reduction reduction, ScalarType dtype, int size)
        {
            using var scope = NewDisposeScope();
            var shape = new long[] { size };
            var input = Inputs.Uniform(shape, dtype, 1.0, 1);
            var targetValues = HostValues.Of(Inputs.Uniform(shape, dtype, 1.0, 2));
            var inputValues = HostValues.Of(input);
            for (int i = 0; i < size; i += 3)
                targetValues[i] = inputValues[i]; // x = 0 exactly on every third element
            var target = Inputs.Of(targetValues, shape, dtype);
            var directions = new[] { Inputs.Uniform(shape, dtype, 0.5, 3), Inputs.Uniform(shape, dtype, 0.5, 4) };
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(shape, dtype, 0.5, 5) : null;

            var ours = SecondOrder.Of(l => Losses.Ours(LossKind.SmoothL1, l[0], l[1], 0.0, reduction), new[] { input, target }, InputTarget, directions, upstream, true);

            bool single = dtype == ScalarType.Float32;
            double Round(double value) => single ? (float)value : value;
            var go = upstream is null ? null : HostValues.Of(upstream);
            double scale = reduction == nn.Reduction.Mean ? Round(1.0 / size) : 1.0;
            var sign = inputValues.Select((a, i) => (double)Math.Sign(Round(a - targetValues[i]))).ToArray();
            var expectedInput = sign.Select((s, i) => Round(s * (go?[i] ?? scale))).ToArray();
            Assert.Equal(expectedInput, HostValues.Of(ours.FirstOrder[0]));
            Assert.Equal(expectedInput.Select(e => -e).ToArray(), HostValues.Of(ours.FirstOrder[1]));
            for (int k = 0; k < 2; k++)
            {
                for (int j = 0; j < 2; j++)
                {
                    var h = ours.Directional[k][j];
                    Assert.True(h is not null, $"∂(g_{InputTarget[k]}·d)/∂{InputTarget[j]} is undefined: L1's curvature is a defined zero");
                    Assert.True(HostValues.Of(h!).All(value => value == 0), $"∂(g_{InputTarget[k]}·d)/∂{InputTarget[j]} is not zero");
                }
                if (upstream is not null)
                {
                    var v = HostValues.Of(directions[k]);
                    var expected = sign.Select((s, i) => Round((k == 0 ? s : -s) * v[i])).ToArray();
                    Assert.True(ours.Directional[k][2] is not null, $"∂(g_{InputTarget[k]}·d)/∂upstream is undefined");
                    Assert.Equal(expected, HostValues.Of(ours.Directional[k][2]!));
                }
            }
        }

        public static IEnumerable<object[]> KinkCases() =>
            from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
            from dtype in FullTypes
            from threshold in new[] { 0.5, 0.75 }
            select new object[] { kind, dtype, threshold };

        /// <summary>
        /// At |x| = τ exactly the first derivative takes the linear branch (see ThresholdKinkTests) and libtorch's double
        /// backward uses |x| &lt; τ: curvature 0 there, 1/β·scale just inside. (A graph built on clamp's own backward,
        /// whose mask is |x| ≤ τ, gives 1 there and fails this.)
        /// </summary>
        [Theory]
        [MemberData(nameof(KinkCases))]
        public void Curvature_at_the_threshold_is_zero_like_libtorch(LossKind kind, ScalarType dtype, double threshold)
        {
            using var scope = NewDisposeScope();
            // x = +τ, −τ, +τ, −τ (the last two from a nonzero target), τ/2 and −τ/2 inside, 2τ outside.
            var input = Inputs.Of(dtype, threshold, -threshold, 2 * threshold, 0.0, 0.5 * threshold, -0.5 * threshold, 2 * threshold);
            var target = Inputs.Of(dtype, 0.0, 0.0, threshold, threshold, 0.0, 0.0, 0.0);
            var directions = new[] { Inputs.Of(dtype, 0.5, -0.25, 0.75, 1.0, 0.5, -0.375, 1.0), Inputs.Of(dtype, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0) };
            var reference = SecondOrder.Of(l => Losses.Libtorch(kind, l[0], l[1], threshold, nn.Reduction.Sum), new[] { input, target }, InputTarget, directions);
            bool single = dtype == ScalarType.Float32;
            var d = HostValues.Of(directions[0]);
            var expected = d.Select((v, i) => i is not (4 or 5) ? 0.0 : kind == LossKind.Huber ? v : single ? (float)v / (float)threshold : v / threshold).ToArray();
            Assert.Equal(expected, HostValues.Of(reference.Directional[0][0]!)); // the reference is what the formula says
            var ours = SecondOrder.Of(l => Losses.Ours(kind, l[0], l[1], threshold, nn.Reduction.Sum), new[] { input, target }, InputTarget, directions);
            AssertMatches(ours, reference, _ => 0, $"kink {kind}\t{dtype}\t{threshold}");
        }

        // ---------------------------------------------------------------- 3. finite differences of the gradient

        public static IEnumerable<object[]> FiniteDifferenceCases() =>
            from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
            from reduction in ParityTests.Reductions
            from variant in new[] { "scalar", "weighted", "tensor-threshold", "large" }
            select new object[] { kind, reduction, variant };

        /// <summary>
        /// gradgradcheck in Float64: the first-order gradient G (taken with create_graph) of f = loss (for reduction None,
        /// loss·upstream summed, the upstream a constant) is differentiated along a random direction d over all leaves.
        /// G = ∇f, so its Jacobian is the symmetric Hessian: the analytic grad((G·d).sum()) equals the central difference
        /// (G(leaves + εd) − G(leaves − εd)) / 2ε element by element. Input and target elements within 10⁻³ of a kink are
        /// skipped (and a weight entry whose column has one), where the loss is not twice differentiable. "large" is
        /// 100,004 elements, past the engine's switch at 65,536.
        /// </summary>
        [Theory]
        [MemberData(nameof(FiniteDifferenceCases))]
        public void Second_derivatives_match_central_differences_of_the_gradient(LossKind kind, nn.Reduction reduction, string variant)
        {
            using var scope = NewDisposeScope();
            const double step = 1e-6;
            const int columns = 4;
            var shape = new long[] { variant == "large" ? 25001 : 16, columns };
            var thresholds = kind == LossKind.Huber ? new[] { 0.7, 1.3, 0.2, 2.0 } : new[] { 0.7, 0.0, 1.0 / 9, 2.0 };
            if (variant != "tensor-threshold")
                thresholds = Enumerable.Repeat(thresholds[0], columns).ToArray();
            var thresholdTensor = Inputs.Of(ScalarType.Float64, thresholds);
            bool weighted = variant == "weighted";
            var leaves = new[]
            {
                Inputs.Uniform(shape, ScalarType.Float64, 1.0, 21),
                Inputs.Uniform(shape, ScalarType.Float64, 1.0, 22),
                Inputs.Uniform(new long[] { columns }, ScalarType.Float64, 1.0, 23).abs(),
            }.Take(weighted ? 3 : 2).ToArray();
            var upstream = Inputs.Uniform(shape, ScalarType.Float64, 1.0, 24);
            var directions = leaves.Select((leaf, k) => Inputs.Uniform(leaf.shape, ScalarType.Float64, 0.5, 30 + k)).ToArray();

            Tensor Function(Tensor[] l)
            {
                var weight = weighted ? l[2] : null;
                var loss = variant == "tensor-threshold"
                    ? Losses.Ours(kind, l[0], l[1], thresholdTensor, reduction, weight)
                    : Losses.Ours(kind, l[0], l[1], thresholds[0], reduction, weight);
                return reduction == nn.Reduction.None ? loss.mul(upstream).sum() : loss;
            }

            var fresh = leaves.Select(leaf => leaf.detach().requires_grad_(true)).ToArray();
            var first = SecondOrder.Grad(new[] { Function(fresh) }, fresh, null, createGraph: true, "the loss");
            var projected = first.Select((g, k) => g!.mul(directions[k]).sum()).Aggregate((a, b) => a.add(b));
            var analytic = SecondOrder.Grad(new[] { projected }, fresh, null, createGraph: false, "the first-order gradients (taken with create_graph), projected on d");

            Tensor[] Shifted(double sign) => leaves.Select((leaf, k) =>
            {
                var values = HostValues.Of(leaf);
                var d = HostValues.Of(directions[k]);
                return Inputs.Of(values.Select((value, i) => value + sign * step * d[i]).ToArray(), leaf.shape, ScalarType.Float64);
            }).ToArray();
            var plus = Gradients.Of(Function, Shifted(1)).OfLeaves;
            var minus = Gradients.Of(Function, Shifted(-1)).OfLeaves;

            var x = HostValues.Of(leaves[0].sub(leaves[1]));
            bool NearKink(int element)
            {
                double magnitude = Math.Abs(x[element]), tau = thresholds[element % columns];
                return Math.Abs(magnitude - tau) < 1e-3 || (tau == 0 && magnitude < 1e-3);
            }
            var kinkColumns = Enumerable.Range(0, x.Length).Where(NearKink).Select(i => i % columns).ToHashSet();

            int checkedCount = 0;
            var failures = new List<string>();
            for (int k = 0; k < leaves.Length; k++)
            {
                Assert.True(analytic[k] is not null, $"no second-order gradient reached leaf {k}");
                var a = HostValues.Of(analytic[k]!);
                var p = HostValues.Of(plus[k]);
                var m = HostValues.Of(minus[k]);
                for (int i = 0; i < a.Length; i++)
                {
                    if (k < 2 ? NearKink(i) : kinkColumns.Contains(i))
                        continue;
                    double numeric = (p[i] - m[i]) / (2 * step);
                    if (Math.Abs(numeric - a[i]) > 1e-7 + 1e-6 * Math.Abs(numeric) && failures.Count < 5)
                        failures.Add($"leaf {k}, element {i}: analytic {a[i]:R}, central difference {numeric:R}");
                    checkedCount++;
                }
            }
            Assert.True(failures.Count == 0, string.Join("; ", failures));
            Assert.True(checkedCount >= 60, $"only {checkedCount} elements were away from a kink");
        }

        // ---------------------------------------------------------------- 4. gradient penalty through a linear layer

        public static IEnumerable<object[]> PenaltyCases() =>
            (from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
             from dtype in FullTypes
             from reduction in new[] { nn.Reduction.Mean, nn.Reduction.Sum }
             select new object[] { kind, dtype, reduction, false })
            .Concat(
             from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
             select new object[] { kind, ScalarType.Float64, nn.Reduction.Mean, true });

        /// <summary>
        /// WGAN-GP style: pred = X·W, gW = grad(loss(pred, target), W, create_graph), penalty = (gW²).sum(),
        /// gp = grad(penalty, W) = 2·Xᵀ·(ℓ''·(X·gW)), against the same built on libtorch's loss. With residuals on both
        /// sides of τ the curvature term is what gp is made of (nonzero); with every residual in the linear zone it is
        /// exactly zero. The matmuls sum 32 or 3 products, so gp is compared relative to its largest entry.
        /// </summary>
        [Theory]
        [MemberData(nameof(PenaltyCases))]
        public void Gradient_penalty_through_a_linear_layer_matches_libtorch(LossKind kind, ScalarType dtype, nn.Reduction reduction, bool allLinear)
        {
            using var scope = NewDisposeScope();
            const double threshold = 0.5;
            var x = Inputs.Uniform(new long[] { 32, 5 }, dtype, 0.5, 41);
            var w = Inputs.Uniform(new long[] { 5, 3 }, dtype, 0.5, 42);
            var targetValues = HostValues.Of(Inputs.Uniform(new long[] { 32, 3 }, dtype, threshold, 43)).Select(t => allLinear ? t + 10 : t).ToArray();
            var target = Inputs.Of(targetValues, new long[] { 32, 3 }, dtype);

            Tensor Penalty(Func<Tensor, Tensor, Tensor> loss, string who)
            {
                var weight = w.detach().requires_grad_(true);
                var value = loss(x.matmul(weight), target);
                var gradient = SecondOrder.Grad(new[] { value }, new[] { weight }, null, createGraph: true, $"{who} loss")[0]!;
                var penalty = gradient.mul(gradient).sum();
                var result = SecondOrder.Grad(new[] { penalty }, new[] { weight }, null, createGraph: false, $"{who} penalty (gW² summed, gW taken with create_graph)")[0];
                Assert.True(result is not null, $"{who}: the penalty's gradient is undefined");
                return result!;
            }

            var reference = Penalty((p, t) => Losses.Libtorch(kind, p, t, threshold, reduction), "libtorch's");
            var ours = Penalty((p, t) => Losses.Ours(kind, p, t, threshold, reduction), "our");

            var residuals = HostValues.Of(x.matmul(w).sub(target));
            double inside = residuals.Count(r => Math.Abs(r) < threshold) / (double)residuals.Length;
            var expected = HostValues.Of(reference);
            var actual = HostValues.Of(ours);
            double largest = expected.Max(Math.Abs);
            double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            output.WriteLine($"inside {inside:P0}; largest |gp| {largest:G3}; max |ours − libtorch| {worst:G3}");
            if (Environment.GetEnvironmentVariable("SECOND_ORDER_LOG") is string log)
                System.IO.File.AppendAllText(log, $"penalty {kind}\t{dtype}\t{reduction}\t{allLinear}\t{worst / Math.Max(largest, double.Epsilon):G3} of max\n");
            if (allLinear)
            {
                Assert.Equal(0.0, inside);
                Assert.True(largest == 0, $"libtorch's gp should be exactly zero with no residual inside τ: {largest}");
                Assert.True(actual.All(value => value == 0), $"with every residual in the linear zone gp must be exactly zero: max |gp| {actual.Max(Math.Abs):G3}");
                return;
            }
            Assert.InRange(inside, 0.2, 0.8);
            Assert.True(largest > 0, "libtorch's gp is zero: the case does not exercise the curvature");
            Assert.True(actual.Any(value => value != 0), "our gp is zero: the curvature term ℓ'' is missing");
            double tolerance = SecondOrderBounds.PenaltyRelative(dtype);
            Assert.True(worst <= tolerance * largest, $"gp differs from libtorch's by {worst:G3}, more than {tolerance:G3} × max |gp| ({largest:G3})");
        }

        // ---------------------------------------------------------------- 5. first order is the same with create_graph

        public static IEnumerable<object[]> FirstOrderCases() =>
            (from threshold in new[] { (LossKind.Huber, 0.3), (LossKind.SmoothL1, 0.5), (LossKind.SmoothL1, 0.0) }
             from reduction in ParityTests.Reductions
             from dtype in FullTypes
             from shape in new[] { "2048", "100003" }
             select new object[] { threshold.Item1, threshold.Item2, reduction, dtype, shape, "plain" })
            .Concat(
             from threshold in new[] { (LossKind.Huber, 0.3), (LossKind.SmoothL1, 0.5), (LossKind.SmoothL1, 0.0) }
             from reduction in new[] { nn.Reduction.Mean, nn.Reduction.None }
             from dtype in HalfTypes
             select new object[] { threshold.Item1, threshold.Item2, reduction, dtype, "2048", "plain" })
            .Concat(
             from threshold in OnePerKind
             from reduction in ParityTests.Reductions
             from variant in new[] { ("512x4", "weight-grad"), ("25001x4", "weight-fixed"), ("512x4", "tensor-threshold") }
             select new object[] { threshold.Kind, threshold.Value, reduction, ScalarType.Float32, variant.Item1, variant.Item2 })
            .Concat(
             from threshold in OnePerKind
             select new object[] { threshold.Kind, threshold.Value, nn.Reduction.Mean, ScalarType.Float64, "512x4", "normalizer" });

        /// <summary>
        /// Users get the same first-order numbers whether or not they ask for create_graph: the loss and every gradient
        /// taken with create_graph (the upstream gradient of reduction None then requiring grad) are bit for bit those of
        /// a plain backward.
        /// </summary>
        [Theory]
        [MemberData(nameof(FirstOrderCases))]
        public void First_order_results_are_the_same_bits_with_create_graph(LossKind kind, double threshold, nn.Reduction reduction, ScalarType dtype, string lossShape, string variant)
        {
            using var scope = NewDisposeScope();
            var shape = Shape(lossShape);
            var input = Inputs.Uniform(shape, dtype, Math.Max(threshold, 0.5), 1);
            var target = Inputs.Uniform(shape, dtype, Math.Max(threshold, 0.5), 2);
            var weight = variant switch
            {
                "weight-grad" => Inputs.Uniform(new long[] { 4 }, dtype, 1.0, 3).abs(),
                "weight-fixed" => Inputs.Uniform(shape, dtype, 1.0, 3).abs(),
                _ => null,
            };
            var thresholdTensor = variant == "tensor-threshold" ? Inputs.Of(dtype, ColumnThresholds(kind, dtype)) : null;
            double? normalizer = variant == "normalizer" ? 0.7 : null;
            var leaves = variant == "weight-grad" ? new[] { input, target, weight! } : new[] { input, target };
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(shape, dtype, 0.5, 5) : null;

            Tensor Loss(Tensor[] l)
            {
                var w = variant == "weight-grad" ? l[2] : weight;
                return thresholdTensor is null
                    ? Losses.Ours(kind, l[0], l[1], threshold, reduction, w, normalizer)
                    : Losses.Ours(kind, l[0], l[1], thresholdTensor, reduction, w, normalizer);
            }

            var plain = Gradients.Of(Loss, leaves, upstream);
            var fresh = leaves.Select(leaf => leaf.detach().requires_grad_(true)).ToArray();
            var value = Loss(fresh);
            var gradOutput = upstream?.detach().requires_grad_(true) ?? ones_like(value);
            var withGraph = autograd.grad(new[] { value }, fresh, new[] { gradOutput }, retain_graph: true, create_graph: true, allow_unused: true);

            var valueDifference = Difference.Between(value.detach(), plain.Value);
            Assert.True(valueDifference.Bitwise, $"value: {valueDifference}");
            for (int k = 0; k < leaves.Length; k++)
            {
                Assert.False(withGraph[k].IsInvalid, $"leaf {k} received no gradient with create_graph");
                var difference = Difference.Between(withGraph[k].detach(), plain.OfLeaves[k]);
                Assert.True(difference.Bitwise, $"gradient of leaf {k} with create_graph against without: {difference}");
            }
        }

        // ---------------------------------------------------------------- comparison

        /// <summary>
        /// Compares every directional derivative of <paramref name="ours"/> with <paramref name="reference"/>'s within the
        /// bound for its component. Where the reference is undefined (no path), ours must be undefined or all zero.
        /// </summary>
        private void AssertMatches(SecondOrder ours, SecondOrder reference, Func<SecondOrderBounds.Component, long> allowedUlps, string label)
        {
            Assert.Equal(reference.Names, ours.Names);
            var failures = new List<string>();
            for (int k = 0; k < reference.Directional.Length; k++)
            {
                for (int j = 0; j < reference.Names.Length; j++)
                {
                    string what = $"∂(g_{reference.Names[k]}·d)/∂{reference.Names[j]}";
                    var theirs = reference.Directional[k][j];
                    var mine = ours.Directional[k][j];
                    if (theirs is null)
                    {
                        if (mine is not null && HostValues.Of(mine).Any(value => value != 0))
                            failures.Add($"{what}: libtorch's is undefined (no path), ours is nonzero");
                        continue;
                    }
                    if (mine is null)
                    {
                        bool zero = HostValues.Of(theirs).All(value => value == 0);
                        failures.Add($"{what}: no second-order gradient reached {reference.Names[j]} (libtorch's is {(zero ? "zero" : "nonzero")})");
                        continue;
                    }
                    var component = reference.Names[j] == "upstream" ? SecondOrderBounds.Component.Upstream
                        : theirs.numel() < reference.FirstOrder[0].numel() ? SecondOrderBounds.Component.Summed
                        : SecondOrderBounds.Component.Elementwise;
                    long allowed = allowedUlps(component);
                    var difference = Difference.Between(mine, theirs);
                    if (component == SecondOrderBounds.Component.Summed)
                    {
                        // A broadcast weight's entry sums a column of products, in whatever order each side's reduction
                        // takes: where the sum cancels, ulps of the entry mean nothing. Measured in ulps of the largest entry.
                        long scaled = SecondOrderBounds.UlpsOfLargest(mine, theirs);
                        output.WriteLine($"{what}: {difference}; {scaled} ulp of the largest entry (allowed {allowed})");
                        if (Environment.GetEnvironmentVariable("SECOND_ORDER_LOG") is string summedLog)
                            System.IO.File.AppendAllText(summedLog, $"{label}\t{what} (summed)\t{scaled}\t{difference}\n");
                        if (scaled > allowed)
                            failures.Add($"{what} should be within {allowed} ulp of libtorch's largest entry: {scaled} ({difference})");
                        continue;
                    }
                    output.WriteLine($"{what}: {difference} (allowed {allowed} ulp)");
                    if (Environment.GetEnvironmentVariable("SECOND_ORDER_LOG") is string log)
                        System.IO.File.AppendAllText(log, $"{label}\t{what}\t{difference.MaxUlps}\t{difference}\n");
                    // ±0 count as equal: the sign of a zero second derivative (v·0 against a masked select) carries nothing.
                    if (difference.MaxUlps > allowed)
                        failures.Add($"{what} should be within {allowed} ulp of libtorch: {difference}");
                }
            }
            Assert.True(failures.Count == 0, string.Join("; ", failures));
        }
    }
}
