using System;
using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// Derivatives of the box IoU losses in float64: first derivatives of both boxes against central differences of the
    /// host reference (written from torchvision's Python source, CIoU's α held at the unperturbed boxes as torchvision's
    /// no_grad holds it); second derivatives (create_graph) against central differences of the first derivatives (GIoU,
    /// DIoU) and against TorchVision .NET's double backward (all three); and a failure inside backward ends in a managed exception.
    /// </summary>
    public class BoxIoUGradientTests
    {
        private const double Step = 1e-6;

        public static IEnumerable<object[]> Cases() =>
            from kind in BoxIoULossTests.Kinds
            from composed in new[] { false, true }
            select new object[] { kind, composed };

        /// <summary>
        /// Σᵢ uᵢ·ℓᵢ over 6 random pairs: every coordinate's autograd derivative (both boxes) against the central difference
        /// (step 1e-6) of the host reference, within 1e-7·(1 + |g|) (the difference quotient's own error is ~1e-10 here).
        /// </summary>
        [Theory]
        [MemberData(nameof(Cases))]
        public void First_derivatives_match_central_differences(string kindName, bool composed)
        {
            using var scope = NewDisposeScope();
            var kind = Enum.Parse<BoxIoUKind>(kindName);
            var (first, second) = Boxes.Random(6, ScalarType.Float64, 31);
            var upstream = Inputs.Uniform(new long[] { 6 }, ScalarType.Float64, 1.0, 32);
            var analytic = Gradients.Of(l => BoxIoU.Compute(kind, l[0], l[1], nn.Reduction.None, 1e-7, null, null, composedOnly: composed),
                new[] { first, second }, upstream);
            var a = HostValues.Of(first);
            var b = HostValues.Of(second);
            var u = HostValues.Of(upstream);

            double Reference(double[] p, double[] q)
            {
                double total = 0;
                for (int i = 0; i < 6; i++)
                {
                    // CIoU's α at the unperturbed boxes: a constant of the graph, as in torchvision.
                    double? alpha = kind == BoxIoUKind.Complete ? Alpha(a.AsSpan(4 * i, 4), b.AsSpan(4 * i, 4)) : null;
                    total += u[i] * ReferenceWithAlpha(kind, p.AsSpan(4 * i, 4), q.AsSpan(4 * i, 4), alpha);
                }
                return total;
            }

            for (int leaf = 0; leaf < 2; leaf++)
            {
                var gradient = HostValues.Of(analytic.OfLeaves[leaf]);
                for (int j = 0; j < 24; j++)
                {
                    var plus = (leaf == 0 ? a : b).ToArray();
                    var minus = (leaf == 0 ? a : b).ToArray();
                    plus[j] += Step;
                    minus[j] -= Step;
                    double difference = leaf == 0
                        ? (Reference(plus, b) - Reference(minus, b)) / (2 * Step)
                        : (Reference(a, plus) - Reference(a, minus)) / (2 * Step);
                    Assert.True(Math.Abs(gradient[j] - difference) <= 1e-7 * (1 + Math.Abs(difference)),
                        $"boxes{leaf + 1}[{j / 4}, {j % 4}]: autograd {gradient[j]}, difference {difference}");
                }
            }
        }

        private static double Alpha(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
        {
            double iw = Math.Min(a[2], b[2]) - Math.Max(a[0], b[0]);
            double ih = Math.Min(a[3], b[3]) - Math.Max(a[1], b[1]);
            double intersection = iw > 0 && ih > 0 ? iw * ih : 0;
            double union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection;
            double iou = intersection / (union + 1e-7);
            double angle = Math.Atan((b[2] - b[0]) / (b[3] - b[1])) - Math.Atan((a[2] - a[0]) / (a[3] - a[1]));
            double v = 4 / (Math.PI * Math.PI) * angle * angle;
            return v / (1 - iou + v + 1e-7);
        }

        /// <summary>The host reference, CIoU with α given (DIoU part + α·v); GIoU and DIoU as <see cref="Boxes.Reference"/>.</summary>
        private static double ReferenceWithAlpha(BoxIoUKind kind, ReadOnlySpan<double> a, ReadOnlySpan<double> b, double? alpha)
        {
            if (kind != BoxIoUKind.Complete)
                return Boxes.Reference(kind, a, b, 1e-7);
            double angle = Math.Atan((b[2] - b[0]) / (b[3] - b[1])) - Math.Atan((a[2] - a[0]) / (a[3] - a[1]));
            double v = 4 / (Math.PI * Math.PI) * angle * angle;
            return Boxes.Reference(BoxIoUKind.Distance, a, b, 1e-7) + alpha!.Value * v;
        }

        /// <summary>
        /// Hessian-vector products through create_graph: d/dboxes1 and d/dboxes2 of (∂L/∂boxes1 · v) for Mean over 5 random
        /// pairs and a random direction v. GIoU and DIoU: against central differences (step 1e-6) of the first derivative,
        /// within 1e-6·(1 + |h|). All three: against TorchVision .NET's double backward of the same, within 1e-12·max|h|
        /// (the same composed ops; the fused node's recorded backward recomputes them).
        /// </summary>
        [Theory]
        [MemberData(nameof(Cases))]
        public void Second_derivatives_through_create_graph(string kindName, bool composed)
        {
            using var scope = NewDisposeScope();
            var kind = Enum.Parse<BoxIoUKind>(kindName);
            var (first, second) = Boxes.Random(5, ScalarType.Float64, 33);
            var direction = Inputs.Uniform(new long[] { 5, 4 }, ScalarType.Float64, 1.0, 34);

            (Tensor First, Tensor Second) HessianVector(Func<Tensor, Tensor, Tensor> loss)
            {
                var p = first.detach().requires_grad_(true);
                var q = second.detach().requires_grad_(true);
                var gradient = autograd.grad(new[] { loss(p, q) }, new[] { p }, create_graph: true, retain_graph: true)[0];
                Assert.True(gradient.requires_grad);
                var h = autograd.grad(new[] { gradient.mul(direction).sum() }, new[] { p, q }, allow_unused: true);
                return (h[0], h[1]);
            }

            var ours = HessianVector((p, q) => BoxIoU.Compute(kind, p, q, nn.Reduction.Mean, 1e-7, null, null, composedOnly: composed));
            var theirs = HessianVector((p, q) => Boxes.TorchVision(kind, p, q, nn.Reduction.Mean));
            foreach (var (o, t) in new[] { (ours.First, theirs.First), (ours.Second, theirs.Second) })
            {
                double scale = HostValues.Of(t).Max(Math.Abs);
                Assert.True(scale > 0);
                Assert.True(HostValues.Of(o).Zip(HostValues.Of(t), (x, y) => Math.Abs(x - y)).Max() <= 1e-12 * scale,
                    $"against TorchVision: {Difference.Between(o, t)}");
            }
            if (kind == BoxIoUKind.Complete)
                return; // α's dependence on the boxes is not differentiated, so differences of the gradient would include it

            Tensor FirstDerivative(Tensor p, Tensor q)
            {
                var leaf = p.detach().requires_grad_(true);
                return autograd.grad(new[] { BoxIoU.Compute(kind, leaf, q, nn.Reduction.Mean, 1e-7, null, null, composedOnly: composed) }, new[] { leaf })[0];
            }
            var u = HostValues.Of(direction);
            double Directional(Tensor p, Tensor q) => HostValues.Of(FirstDerivative(p, q)).Zip(u, (g, d) => g * d).Sum();
            for (int leaf = 0; leaf < 2; leaf++)
            {
                var h = HostValues.Of(leaf == 0 ? ours.First : ours.Second);
                var values = HostValues.Of(leaf == 0 ? first : second);
                for (int j = 0; j < 20; j++)
                {
                    var plus = values.ToArray();
                    var minus = values.ToArray();
                    plus[j] += Step;
                    minus[j] -= Step;
                    Tensor Of(double[] x) => tensor(x, new long[] { 5, 4 }, ScalarType.Float64);
                    double difference = leaf == 0
                        ? (Directional(Of(plus), second) - Directional(Of(minus), second)) / (2 * Step)
                        : (Directional(first, Of(plus)) - Directional(first, Of(minus))) / (2 * Step);
                    Assert.True(Math.Abs(h[j] - difference) <= 1e-6 * (1 + Math.Abs(difference)),
                        $"boxes{leaf + 1}[{j / 4}, {j % 4}]: create_graph {h[j]}, difference {difference}");
                }
            }
        }

        /// <summary>
        /// A failure inside the fused node's backward (injected) reaches the caller as a managed exception from backward(),
        /// with the cause in <see cref="LossWarnings"/>, for backward() and backward(create_graph); the process survives and
        /// the next call works. So does a saved box modified in place after the forward.
        /// </summary>
        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void A_failure_inside_backward_ends_in_a_managed_exception(bool createGraph)
        {
            using var scope = NewDisposeScope();
            var (first, second) = Boxes.Random(10, ScalarType.Float32, 35);
            var leaf = first.requires_grad_(true);
            var marker = $"injected failure {Guid.NewGuid()}";
            var warnings = new System.Collections.Concurrent.ConcurrentQueue<string>();
            void Collect(string message) => warnings.Enqueue(message);
            LossWarnings.Warning += Collect;
            try
            {
                var value = BoxIoU.Compute(BoxIoUKind.Generalized, leaf, second, nn.Reduction.Mean, 1e-7, null, null,
                    backwardFault: () => throw new InvalidOperationException(marker));
                Assert.ThrowsAny<Exception>(() => value.backward(create_graph: createGraph));
                Assert.Null(leaf.grad);

                var modified = second.clone().requires_grad_(true);
                var other = functional.complete_box_iou_loss(leaf, modified, nn.Reduction.Sum);
                using (no_grad())
                using (var one = 1.ToScalar())
                    modified.add_(ones_like(modified), one);
                Assert.ThrowsAny<Exception>(() => other.backward(create_graph: createGraph));
            }
            finally
            {
                LossWarnings.Warning -= Collect;
            }
            Assert.Contains(warnings, message => message.Contains(marker));
            Assert.Contains(warnings, message => message.Contains("modified in place"));

            functional.generalized_box_iou_loss(leaf, second, nn.Reduction.Mean).backward();
            Assert.NotNull(leaf.grad);
        }
    }
}
