using System;
using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// GIoU, DIoU and CIoU: values worked out by hand, torchvision's own test boxes and numbers, parity with TorchVision .NET
    /// (values and both gradients), the fused CPU form against the composed ops, eps, empty batches, weight and normaliser,
    /// argument errors. Derivatives against finite differences are in <see cref="BoxIoUGradientTests"/>.
    /// </summary>
    public class BoxIoULossTests
    {
        public static readonly string[] Kinds = { "Generalized", "Distance", "Complete" };

        public static IEnumerable<object[]> KindCases() => Kinds.Select(kind => new object[] { kind });

        private static BoxIoUKind Kind(string name) => Enum.Parse<BoxIoUKind>(name);

        private static Tensor Box(ScalarType dtype, params double[] coordinates) => tensor(coordinates, new long[] { coordinates.Length / 4, 4 }, dtype);

        /// <summary>Worked out by hand; ε = 1e-7 is written into each value where it changes the float64 result.</summary>
        public static IEnumerable<object[]> HandCases()
        {
            const double e = 1e-7;
            // Identical [0,0,2,2]: I = U = C = 4, d = 0, equal aspect: every loss is 1 − 4/(4 + ε).
            foreach (var kind in Kinds)
                yield return new object[] { kind, new double[] { 0, 0, 2, 2 }, new double[] { 0, 0, 2, 2 }, 1 - 4 / (4 + e) };
            // Overlapping [0,0,2,2] and [1,1,3,3]: I = 1, U = 4 + 4 − 1 = 7, enclosing [0,0,3,3]: C = 9, c² = 9 + 9 = 18;
            // centres (1,1) and (2,2): d² = 2; equal aspect (v = 0).
            // GIoU = 1 − 1/7 + (9 − 7)/9 = 68/63; DIoU = CIoU = 1 − 1/7 + 2/18 = 61/63 (ε shifts these by < 1e-7).
            yield return new object[] { "Generalized", new double[] { 0, 0, 2, 2 }, new double[] { 1, 1, 3, 3 }, 1 - 1 / (7 + e) + 2 / (9 + e) };
            yield return new object[] { "Distance", new double[] { 0, 0, 2, 2 }, new double[] { 1, 1, 3, 3 }, 1 - 1 / (7 + e) + 2 / (18 + e) };
            yield return new object[] { "Complete", new double[] { 0, 0, 2, 2 }, new double[] { 1, 1, 3, 3 }, 1 - 1 / (7 + e) + 2 / (18 + e) };
            // Nested [1,1,3,3] inside [0,0,4,4]: I = 4, U = 16 = C, same centre (2,2), equal aspect: every loss is 1 − 4/16 = 3/4.
            foreach (var kind in Kinds)
                yield return new object[] { kind, new double[] { 0, 0, 4, 4 }, new double[] { 1, 1, 3, 3 }, 1 - 4 / (16 + e) };
            // Nested with another aspect: [0,0,4,2] ⊃ [0,0,2,2]: I = 4, U = 8 = C; centres (2,1), (1,1): d² = 1; c² = 16 + 4 = 20.
            // GIoU = 1 − 1/2 = 1/2; DIoU = 1/2 + 1/20 = 0.55;
            // CIoU adds α·v with v = 4/π²·(atan(2/2) − atan(4/2))² = 4/π²·(π/4 − atan 2)² ≈ 0.04195, α = v/(1 − 1/2 + v).
            double v = 4 / (Math.PI * Math.PI) * Math.Pow(Math.PI / 4 - Math.Atan(2), 2);
            yield return new object[] { "Generalized", new double[] { 0, 0, 4, 2 }, new double[] { 0, 0, 2, 2 }, 1 - 4 / (8 + e) };
            yield return new object[] { "Distance", new double[] { 0, 0, 4, 2 }, new double[] { 0, 0, 2, 2 }, 1 - 4 / (8 + e) + 1 / (20 + e) };
            yield return new object[] { "Complete", new double[] { 0, 0, 4, 2 }, new double[] { 0, 0, 2, 2 }, 1 - 4 / (8 + e) + 1 / (20 + e) + v * v / (1 - 4 / (8 + e) + v + e) };
            // Disjoint [0,0,1,1] and [2,0,3,1]: I = 0, U = 2, enclosing [0,0,3,1]: C = 3, c² = 9 + 1 = 10; d² = 2² = 4; equal aspect.
            // GIoU = 1 + (3 − 2)/3 = 4/3; DIoU = CIoU = 1 + 4/10 = 1.4.
            yield return new object[] { "Generalized", new double[] { 0, 0, 1, 1 }, new double[] { 2, 0, 3, 1 }, 1 + 1 / (3 + e) };
            yield return new object[] { "Distance", new double[] { 0, 0, 1, 1 }, new double[] { 2, 0, 3, 1 }, 1 + 4 / (10 + e) };
            yield return new object[] { "Complete", new double[] { 0, 0, 1, 1 }, new double[] { 2, 0, 3, 1 }, 1 + 4 / (10 + e) };
            // Degenerate: the point [1,1,1,1] at the centre of [0,0,2,2]: the intersection's sides are 0, so I = 0; U = 0 + 4;
            // C = 4; d = 0. GIoU = 1 − 0 + (4 − 4)/4 = 1; DIoU = 1 − 0 + 0 = 1; CIoU: the point's ratio 0/0 is NaN, so NaN (as torchvision).
            yield return new object[] { "Generalized", new double[] { 1, 1, 1, 1 }, new double[] { 0, 0, 2, 2 }, 1.0 };
            yield return new object[] { "Distance", new double[] { 1, 1, 1, 1 }, new double[] { 0, 0, 2, 2 }, 1.0 };
            yield return new object[] { "Complete", new double[] { 1, 1, 1, 1 }, new double[] { 0, 0, 2, 2 }, double.NaN };
            // Degenerate: a zero-width box [1,0,1,2] against [0,0,2,2]: I = 0 (width 0), U = 4, C = 4, d = 0: GIoU = DIoU = 1;
            // CIoU: ratio 0/2 = 0, atan 0 = 0 against atan 1 = π/4: v = 4/π²·π²/16 = 1/4, α = (1/4)/(1 + 1/4 + ε) = 1/5: 1 + 1/20.
            yield return new object[] { "Generalized", new double[] { 1, 0, 1, 2 }, new double[] { 0, 0, 2, 2 }, 1.0 };
            yield return new object[] { "Distance", new double[] { 1, 0, 1, 2 }, new double[] { 0, 0, 2, 2 }, 1.0 };
            yield return new object[] { "Complete", new double[] { 1, 0, 1, 2 }, new double[] { 0, 0, 2, 2 }, 1 + 0.0625 / (1.25 + e) };
        }

        [Theory]
        [MemberData(nameof(HandCases))]
        public void Hand_computed_values(string kind, double[] first, double[] second, double expected)
        {
            using var scope = NewDisposeScope();
            foreach (var composed in new[] { false, true })
            {
                var loss = HostValues.Scalar(BoxIoU.Compute(Kind(kind), Box(ScalarType.Float64, first), Box(ScalarType.Float64, second),
                    nn.Reduction.Sum, 1e-7, null, null, composedOnly: composed));
                if (double.IsNaN(expected))
                    Assert.True(double.IsNaN(loss), $"composed={composed}: {loss}");
                else
                    Assert.True(Math.Abs(loss - expected) <= 1e-14, $"composed={composed}: {loss} vs {expected}");
                // Symmetric in its arguments.
                var swapped = HostValues.Scalar(BoxIoU.Compute(Kind(kind), Box(ScalarType.Float64, second), Box(ScalarType.Float64, first),
                    nn.Reduction.Sum, 1e-7, null, null, composedOnly: composed));
                Assert.True(double.IsNaN(expected) ? double.IsNaN(swapped) : Math.Abs(swapped - expected) <= 1e-14, $"swapped: {swapped}");
            }
        }

        public static IEnumerable<object[]> TorchvisionTestCases() =>
            from kind in Kinds
            from dtype in new[] { ScalarType.Float32, ScalarType.Float16 }
            select new object[] { kind, dtype };

        /// <summary>
        /// pytorch/vision test/test_ops.py: get_boxes() and the expected numbers of TestGeneralizedBoxIouLoss,
        /// TestDistanceBoxIouLoss and TestCompleteBoxIouLoss (float32 and half), with torch.testing.assert_close's float32
        /// tolerance (atol 1e-5, rtol 1.3e-6). For the batch: GIoU Sum 2.5, Mean 1.25; DIoU and CIoU Mean 1.225, Sum 2.45
        /// (the Python test's values; TorchSharp's copy of this test swaps Sum and Mean and asserts nothing).
        /// </summary>
        [Theory]
        [MemberData(nameof(TorchvisionTestCases))]
        public void Torchvision_test_boxes(string kind, ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var box1 = tensor(new double[] { -1, -1, 1, 1 }, dtype);
            var box2 = tensor(new double[] { 0, 0, 1, 1 }, dtype);
            var box3 = tensor(new double[] { 0, 1, 1, 2 }, dtype);
            var box4 = tensor(new double[] { 1, 1, 2, 2 }, dtype);
            var box1s = stack(new[] { box2, box2 }, 0);
            var box2s = stack(new[] { box3, box4 }, 0);
            var k = Kind(kind);

            void Expect(Tensor a, Tensor b, double expected, nn.Reduction reduction = nn.Reduction.None)
            {
                var loss = Boxes.Ours(k, a, b, reduction);
                Assert.Equal(ScalarType.Float32, loss.dtype); // half is computed in float32, as torchvision's _upcast_non_float
                double value = HostValues.Scalar(loss);
                Assert.True(Math.Abs(value - expected) <= 1e-5 + 1.3e-6 * Math.Abs(expected), $"{kind} {reduction}: {value} vs {expected}");
            }

            Expect(box1, box1, 0.0);
            if (k == BoxIoUKind.Generalized)
            {
                Expect(box1, box2, 0.75);
                Expect(box2, box3, 1.0);
                Expect(box2, box4, 1.5);
                Expect(box1s, box2s, 2.5, nn.Reduction.Sum);
                Expect(box1s, box2s, 1.25, nn.Reduction.Mean);
            }
            else
            {
                Expect(box1, box2, 0.8125);
                Expect(box1, box3, 1.1923);
                Expect(box1, box4, 1.2500);
                Expect(box1s, box2s, 1.2250, nn.Reduction.Mean);
                Expect(box1s, box2s, 2.4500, nn.Reduction.Sum);
            }
        }

        public static IEnumerable<object[]> ParityCases() =>
            from kind in Kinds
            from dtype in new[] { ScalarType.Float32, ScalarType.Float64 }
            from reduction in new[] { nn.Reduction.None, nn.Reduction.Mean }
            select new object[] { kind, dtype, reduction };

        /// <summary>
        /// Against TorchVision .NET 0.107 on 1,000 random valid pairs (plus one identical pair: min/max ties), values and the
        /// gradients with respect to both boxes; None with a random incoming gradient.
        /// <list type="bullet">
        /// <item>Composed ops: bitwise, values and gradients (the same libtorch ops in the same order).</item>
        /// <item>Fused form, values: GIoU and DIoU bitwise (the same IEEE operations in the same order); CIoU within 4 ulp of 1
        /// per box (its arctangent is the C runtime's, libtorch's is SLEEF's).</item>
        /// <item>Fused form, gradients: within 16·ε_dtype·max|g| per element (float32 1.9e-6·max, float64 3.6e-15·max): the
        /// analytic backward adds each coordinate's ~10 chain-rule terms in another order than autograd, so a few roundings
        /// of the largest term apart (measured: 1-2 ε·max).</item>
        /// </list>
        /// </summary>
        [Theory]
        [MemberData(nameof(ParityCases))]
        public void Parity_with_TorchVision(string kind, ScalarType dtype, nn.Reduction reduction)
        {
            using var scope = NewDisposeScope();
            var k = Kind(kind);
            var (first, second) = Boxes.Random(1_000, dtype, 7);
            first = cat(new[] { first, second.narrow(0, 0, 1) }, 0);
            second = cat(new[] { second, second.narrow(0, 0, 1) }, 0);
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(new long[] { 1_001 }, dtype, 1.0, 8) : null;
            var theirs = Gradients.Of(l => Boxes.TorchVision(k, l[0], l[1], reduction), new[] { first, second }, upstream);
            double epsilon = dtype == ScalarType.Float32 ? 1.1920929e-7 : 2.220446049250313e-16;
            foreach (var composed in new[] { false, true })
            {
                var ours = Gradients.Of(l => BoxIoU.Compute(k, l[0], l[1], reduction, 1e-7, null, null, composedOnly: composed),
                    new[] { first, second }, upstream);
                var value = Difference.Between(ours.Value, theirs.Value);
                if (composed || k != BoxIoUKind.Complete)
                    Assert.True(value.Bitwise, $"composed={composed} value: {value}");
                else
                    Assert.True(MaxAbsolute(ours.Value, theirs.Value) <= 4 * epsilon * (reduction == nn.Reduction.None ? 2 : 1), $"value: {value}");
                for (int leaf = 0; leaf < 2; leaf++)
                {
                    var gradient = Difference.Between(ours.OfLeaves[leaf], theirs.OfLeaves[leaf]);
                    if (composed)
                        Assert.True(gradient.Bitwise, $"composed gradient {leaf}: {gradient}");
                    else
                    {
                        double scale = HostValues.Of(theirs.OfLeaves[leaf]).Max(Math.Abs);
                        Assert.True(MaxAbsolute(ours.OfLeaves[leaf], theirs.OfLeaves[leaf]) <= 16 * epsilon * scale, $"gradient {leaf}: {gradient}");
                    }
                }
            }
        }

        private static double MaxAbsolute(Tensor a, Tensor b) =>
            HostValues.Of(a).Zip(HostValues.Of(b), (x, y) => Math.Abs(x - y)).DefaultIfEmpty(0).Max();

        /// <summary>
        /// DIoU honours eps (TorchVision .NET ignores it): with ε = 0.5 on random float64 pairs, every loss is the host
        /// reference's with ε = 0.5 within 1e-14, and differs from the loss with ε = 1e-7.
        /// </summary>
        [Fact]
        public void Distance_honours_eps()
        {
            using var scope = NewDisposeScope();
            var (first, second) = Boxes.Random(200, ScalarType.Float64, 9);
            var a = HostValues.Of(first);
            var b = HostValues.Of(second);
            foreach (var composed in new[] { false, true })
            {
                var loss = HostValues.Of(BoxIoU.Compute(BoxIoUKind.Distance, first, second, nn.Reduction.None, 0.5, null, null, composedOnly: composed));
                var usual = HostValues.Of(BoxIoU.Compute(BoxIoUKind.Distance, first, second, nn.Reduction.None, 1e-7, null, null, composedOnly: composed));
                for (int i = 0; i < loss.Length; i++)
                {
                    double expected = Boxes.Reference(BoxIoUKind.Distance, a.AsSpan(4 * i, 4), b.AsSpan(4 * i, 4), 0.5);
                    Assert.True(Math.Abs(loss[i] - expected) <= 1e-14, $"{i}: {loss[i]} vs {expected}");
                    Assert.NotEqual(usual[i], loss[i]);
                }
            }
        }

        /// <summary>
        /// Where ε enters, per loss, on random float64 pairs against the host reference written from torchvision's Python
        /// source (1e-14): GIoU in both denominators, DIoU in both, CIoU in α only (its IoU and diagonal keep 1e-7).
        /// And ε = 0 on two identical points (I = U = C = 0): GIoU's and DIoU's 0/0 is NaN; with the default ε both are 1.
        /// </summary>
        [Theory]
        [MemberData(nameof(KindCases))]
        public void Eps_enters_where_torchvision_puts_it(string kind)
        {
            using var scope = NewDisposeScope();
            var k = Kind(kind);
            var (first, second) = Boxes.Random(100, ScalarType.Float64, 10);
            var a = HostValues.Of(first);
            var b = HostValues.Of(second);
            foreach (var eps in new[] { 0.0, 0.25, 3.0 })
            foreach (var composed in new[] { false, true })
            {
                var loss = HostValues.Of(BoxIoU.Compute(k, first, second, nn.Reduction.None, eps, null, null, composedOnly: composed));
                for (int i = 0; i < loss.Length; i++)
                {
                    double expected = Boxes.Reference(k, a.AsSpan(4 * i, 4), b.AsSpan(4 * i, 4), eps);
                    Assert.True(Math.Abs(loss[i] - expected) <= 1e-14 * Math.Max(1, Math.Abs(expected)), $"eps {eps} box {i}: {loss[i]} vs {expected}");
                }
            }

            var point = Box(ScalarType.Float64, 1, 1, 1, 1);
            if (k != BoxIoUKind.Complete)
            {
                Assert.True(double.IsNaN(HostValues.Scalar(Boxes.Ours(k, point, point, nn.Reduction.Sum, eps: 0))));
                Assert.Equal(1.0, HostValues.Scalar(Boxes.Ours(k, point, point, nn.Reduction.Sum)));
            }
        }

        public static IEnumerable<object[]> EmptyCases() =>
            from kind in Kinds
            from reduction in new[] { nn.Reduction.None, nn.Reduction.Sum, nn.Reduction.Mean }
            select new object[] { kind, reduction };

        /// <summary>No boxes: None gives shape [0], Sum 0, Mean 0 (torchvision's 0.0 * loss.sum(); TorchVision .NET gives NaN), and backward gives [0, 4] gradients.</summary>
        [Theory]
        [MemberData(nameof(EmptyCases))]
        public void Empty_batches(string kind, nn.Reduction reduction)
        {
            using var scope = NewDisposeScope();
            var first = zeros(0, 4).requires_grad_(true);
            var second = zeros(0, 4).requires_grad_(true);
            var loss = Boxes.Ours(Kind(kind), first, second, reduction);
            if (reduction == nn.Reduction.None)
            {
                Assert.Equal(new long[] { 0 }, loss.shape);
                loss.sum().backward();
            }
            else
            {
                Assert.Equal(0.0, HostValues.Scalar(loss));
                loss.backward();
            }
            Assert.Equal(new long[] { 0, 4 }, first.grad!.shape);
            Assert.Equal(new long[] { 0, 4 }, second.grad!.shape);
            if (reduction == nn.Reduction.Mean)
                Assert.True(double.IsNaN(HostValues.Scalar(Boxes.TorchVision(Kind(kind), first.detach(), second.detach(), reduction))),
                    "TorchVision .NET's Mean of no boxes is NaN; if it is 0 now, docs/box-iou.md should say so");
        }

        /// <summary>
        /// Weight and normaliser, as in every loss of the library: Sum = Σ wᵢℓᵢ, Mean = Σ wᵢℓᵢ / N or / the normaliser
        /// (a number or a 0-d tensor), a weight of shape [1] broadcasts; the weight's gradient is ℓᵢ times the incoming
        /// gradient over the divisor. Fused and composed forms, float64, against sums of the unweighted losses (1e-13).
        /// </summary>
        [Theory]
        [MemberData(nameof(KindCases))]
        public void Weight_and_normalizer(string kind)
        {
            using var scope = NewDisposeScope();
            var k = Kind(kind);
            var (first, second) = Boxes.Random(37, ScalarType.Float64, 11);
            var weight = Inputs.Uniform(new long[] { 37 }, ScalarType.Float64, 1.0, 12).abs();
            var loss = HostValues.Of(Boxes.Ours(k, first, second));
            var w = HostValues.Of(weight);
            double weightedSum = loss.Zip(w, (l, x) => l * x).Sum();
            foreach (var composed in new[] { false, true })
            {
                Tensor Run(nn.Reduction reduction, Tensor? wt, LossNormalizer? n) =>
                    BoxIoU.Compute(k, first, second, reduction, 1e-7, wt, n, composedOnly: composed);
                void Near(double expected, Tensor actual, string what) =>
                    Assert.True(Math.Abs(HostValues.Scalar(actual) - expected) <= 1e-13 * Math.Abs(expected), $"{what} composed={composed}: {HostValues.Scalar(actual)} vs {expected}");

                Near(weightedSum, Run(nn.Reduction.Sum, weight, null), "weighted sum");
                Near(weightedSum / 37, Run(nn.Reduction.Mean, weight, null), "weighted mean");
                Near(weightedSum / 5, Run(nn.Reduction.Mean, weight, 5.0), "normalised by a number");
                Near(weightedSum / 5, Run(nn.Reduction.Mean, weight, tensor(5.0, ScalarType.Float64)), "normalised by a tensor");
                Near(loss.Sum() * 0.5 / 37, Run(nn.Reduction.Mean, tensor(new[] { 0.5 }, ScalarType.Float64), null), "broadcast weight");

                var leaf = weight.detach().requires_grad_(true);
                Run(nn.Reduction.Mean, leaf, 5.0).backward();
                var gradient = HostValues.Of(leaf.grad!);
                for (int i = 0; i < 37; i++)
                    Assert.True(Math.Abs(gradient[i] - loss[i] / 5) <= 1e-15, $"weight gradient {i}: {gradient[i]} vs {loss[i] / 5}");
            }
        }

        public static IEnumerable<object[]> FormCases() =>
            from kind in Kinds
            from dtype in new[] { ScalarType.Float32, ScalarType.Float64 }
            from reduction in new[] { nn.Reduction.None, nn.Reduction.Sum, nn.Reduction.Mean }
            from weighted in new[] { false, true }
            select new object[] { kind, dtype, reduction, weighted };

        /// <summary>
        /// The fused CPU form against the composed ops on 3,000 random pairs in a [3, 1000, 4] batch (several SIMD blocks and a
        /// tail), with and without a per-box weight: values within 4 ε_dtype·max(1, |ℓ|) (bitwise but for CIoU's arctangent),
        /// gradients of both boxes and of the weight within 16 ε_dtype·max|g| (the analytic backward sums in another order).
        /// </summary>
        [Theory]
        [MemberData(nameof(FormCases))]
        public void Fused_form_agrees_with_composed_ops(string kind, ScalarType dtype, nn.Reduction reduction, bool weighted)
        {
            using var scope = NewDisposeScope();
            var k = Kind(kind);
            var (first, second) = Boxes.Random(3_000, dtype, 13);
            first = first.reshape(3, 1_000, 4);
            second = second.reshape(3, 1_000, 4);
            var weight = Inputs.Uniform(new long[] { 3, 1_000 }, dtype, 1.0, 14).abs();
            var leaves = weighted ? new[] { first, second, weight } : new[] { first, second };
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(new long[] { 3, 1_000 }, dtype, 1.0, 15) : null;
            Gradients Run(bool composed) => Gradients.Of(
                l => BoxIoU.Compute(k, l[0], l[1], reduction, 1e-7, weighted ? l[2] : null, null, composedOnly: composed), leaves, upstream);
            var fused = Run(false);
            var composedOps = Run(true);
            double epsilon = dtype == ScalarType.Float32 ? 1.1920929e-7 : 2.220446049250313e-16;
            double valueScale = HostValues.Of(composedOps.Value).Select(Math.Abs).Append(1.0).Max();
            Assert.True(MaxAbsolute(fused.Value, composedOps.Value) <= 4 * epsilon * valueScale * (reduction == nn.Reduction.Sum ? 3_000 : 1),
                $"value: {Difference.Between(fused.Value, composedOps.Value)}");
            for (int leaf = 0; leaf < leaves.Length; leaf++)
            {
                double scale = HostValues.Of(composedOps.OfLeaves[leaf]).Max(Math.Abs);
                Assert.True(MaxAbsolute(fused.OfLeaves[leaf], composedOps.OfLeaves[leaf]) <= 16 * epsilon * scale,
                    $"gradient {leaf}: {Difference.Between(fused.OfLeaves[leaf], composedOps.OfLeaves[leaf])}");
            }
        }

        /// <summary>Integer boxes are computed in float32 (torchvision's _upcast_non_float); float32 with float64 in float64, gradients in each box's dtype.</summary>
        [Fact]
        public void Dtypes_follow_torchvision()
        {
            using var scope = NewDisposeScope();
            var ints = tensor(new long[] { 0, 0, 4, 4, 1, 1, 5, 3 }, new long[] { 2, 4 });
            var other = tensor(new long[] { 1, 1, 3, 3, 0, 0, 2, 2 }, new long[] { 2, 4 });
            foreach (var kind in Kinds)
            {
                var fromInts = Boxes.Ours(Kind(kind), ints, other);
                Assert.Equal(ScalarType.Float32, fromInts.dtype);
                Assert.True(Difference.Between(fromInts, Boxes.Ours(Kind(kind), ints.to(ScalarType.Float32), other.to(ScalarType.Float32))).Bitwise);
            }
            var single = Box(ScalarType.Float32, 0, 0, 2, 2).requires_grad_(true);
            var wide = Box(ScalarType.Float64, 1, 1, 3, 4).requires_grad_(true);
            var mixed = functional.complete_box_iou_loss(single, wide, nn.Reduction.Sum);
            Assert.Equal(ScalarType.Float64, mixed.dtype);
            mixed.backward();
            Assert.Equal(ScalarType.Float32, single.grad!.dtype);
            Assert.Equal(ScalarType.Float64, wide.grad!.dtype);
        }

        /// <summary>The modules reduce to Mean by default and compute what the functions compute; eps is checked at construction.</summary>
        [Fact]
        public void Modules_match_the_functions()
        {
            using var scope = NewDisposeScope();
            var (first, second) = Boxes.Random(50, ScalarType.Float32, 16);
            var weight = Inputs.Uniform(new long[] { 50 }, ScalarType.Float32, 1.0, 17).abs();
            using var giou = new GeneralizedBoxIoULoss();
            using var diou = new DistanceBoxIoULoss(nn.Reduction.Sum, eps: 0.01);
            using var ciou = new CompleteBoxIoULoss();
            Assert.True(Difference.Between(giou.call(first, second), functional.generalized_box_iou_loss(first, second, nn.Reduction.Mean)).Bitwise);
            Assert.True(Difference.Between(diou.call(first, second), functional.distance_box_iou_loss(first, second, nn.Reduction.Sum, 0.01)).Bitwise);
            Assert.True(Difference.Between(ciou.forward(first, second, weight, 10.0),
                functional.complete_box_iou_loss(first, second, nn.Reduction.Mean, weight: weight, normalizer: 10.0)).Bitwise);
            Assert.Equal(0.01, diou.eps);
            Assert.Throws<ArgumentOutOfRangeException>(() => new GeneralizedBoxIoULoss(eps: -1));
            Assert.Throws<ArgumentOutOfRangeException>(() => new CompleteBoxIoULoss(eps: double.NaN));
        }

        /// <summary>Bad arguments are managed exceptions naming the argument.</summary>
        [Fact]
        public void Bad_arguments_name_the_argument()
        {
            using var scope = NewDisposeScope();
            var boxes = Box(ScalarType.Float32, 0, 0, 1, 1, 0, 0, 2, 2);
            void Throws<TException>(string name, Func<Tensor> call) where TException : ArgumentException =>
                Assert.Equal(name, Assert.Throws<TException>(() => call()).ParamName);

            Throws<ArgumentException>("boxes1", () => functional.generalized_box_iou_loss(zeros(2, 3), boxes));
            Throws<ArgumentException>("boxes1", () => functional.generalized_box_iou_loss(tensor(1.0f), boxes));
            Throws<ArgumentException>("boxes2", () => functional.distance_box_iou_loss(boxes, zeros(2, 5)));
            Throws<ArgumentException>("boxes2", () => functional.distance_box_iou_loss(boxes, zeros(3, 4)));
            Throws<ArgumentException>("boxes1", () => functional.complete_box_iou_loss(zeros(new long[] { 2, 4 }, ScalarType.ComplexFloat32), boxes));
            Throws<ArgumentException>("weight", () => functional.complete_box_iou_loss(boxes, boxes, weight: ones(new long[] { 2 }, ScalarType.Int64)));
            Throws<ArgumentException>("weight", () => functional.complete_box_iou_loss(boxes, boxes, weight: ones(3)));
            Throws<ArgumentException>("normalizer", () => functional.generalized_box_iou_loss(boxes, boxes, nn.Reduction.Sum, normalizer: 2.0));
            Throws<ArgumentOutOfRangeException>("normalizer", () => functional.generalized_box_iou_loss(boxes, boxes, nn.Reduction.Mean, normalizer: 0.0));
            Throws<ArgumentOutOfRangeException>("eps", () => functional.generalized_box_iou_loss(boxes, boxes, eps: -1e-7));
            Throws<ArgumentOutOfRangeException>("eps", () => functional.distance_box_iou_loss(boxes, boxes, eps: double.PositiveInfinity));
            Throws<ArgumentOutOfRangeException>("reduction", () => functional.generalized_box_iou_loss(boxes, boxes, (nn.Reduction)7));
            Assert.Throws<ArgumentNullException>(() => functional.generalized_box_iou_loss(null!, boxes));
            var meta = empty(new long[] { 2, 4 }, device: new Device(DeviceType.META));
            Throws<ArgumentException>("boxes2", () => functional.generalized_box_iou_loss(boxes, meta));
            Throws<ArgumentException>("weight", () => functional.generalized_box_iou_loss(boxes, boxes, weight: empty(new long[] { 2 }, device: new Device(DeviceType.META))));
        }

        /// <summary>
        /// A training loop (a linear model predicting boxes, GIoU against fixed boxes, SGD) with each step in a dispose scope
        /// leaves no native tensor behind: the live tensor count after 300 steps is what it was after 50, for the fused form
        /// (64 and 20,000 boxes: several threads' ranges), the composed form (strided predictions), and a weight with a
        /// tensor normaliser.
        /// </summary>
        [Theory]
        [InlineData(64, false, false)]
        [InlineData(20_000, false, false)]
        [InlineData(64, true, false)]
        [InlineData(64, false, true)]
        public void Live_tensor_count_does_not_grow_with_training_steps(int count, bool strided, bool weighted)
        {
            using var outer = NewDisposeScope();
            using var model = nn.Linear(4, 4, dtype: ScalarType.Float32);
            using var optimizer = optim.SGD(model.parameters(), 0.01);
            using var loss = new GeneralizedBoxIoULoss();
            var (features, targets) = Boxes.Random(count, ScalarType.Float32, 18);
            var weight = Inputs.Uniform(new long[] { count }, ScalarType.Float32, 1.0, 19).abs();
            var normalizer = tensor((float)count);
            long liveAfter50 = 0;
            for (int step = 1; step <= 300; step++)
            {
                using (NewDisposeScope())
                {
                    optimizer.zero_grad();
                    var prediction = model.call(features);
                    if (strided)
                        prediction = prediction.t().contiguous().t();
                    var value = weighted ? loss.forward(prediction, targets, weight, normalizer) : loss.call(prediction, targets);
                    value.backward();
                    optimizer.step();
                }
                if (step == 50)
                    liveAfter50 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            }
            Assert.Equal(liveAfter50, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
    }
}
