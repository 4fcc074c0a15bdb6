using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Benchmarks
{
    /// <summary>
    /// One benchmark case: fixed float32 CPU tensors of shape [N/4, 4] (N box coordinates) and the three implementations,
    /// each running forward and backward (<c>torch.autograd.grad</c>, so no gradient accumulates between iterations)
    /// inside its own dispose scope, so every temporary dies with the call.
    /// Every Scalar is explicit and lives as long as the case (TorchSharp 0.107's implicit conversion is a GC hole).
    /// </summary>
    public sealed class LossCase : IDisposable
    {
        private const double Threshold = 1.0;

        private readonly LossKind kind;
        private readonly Variant variant;
        private readonly Tensor input;
        private readonly Tensor target;
        private readonly Tensor? weight;
        private readonly Tensor[] differentiable;
        private readonly Tensor[]? gradOutputs;
        private readonly Scalar threshold = Threshold.ToScalar();
        private readonly Scalar half = 0.5.ToScalar();
        private readonly Scalar halfThreshold = (0.5 * Threshold).ToScalar();
        private readonly Scalar halfOverThreshold = (0.5 / Threshold).ToScalar();

        /// <summary>Creates the tensors of a case; values are N(0, 2²) minus N(0, 1), so both branches of the loss are hit.</summary>
        public LossCase(LossKind kind, Variant variant, long elements, long seed = 42)
        {
            this.kind = kind;
            this.variant = variant;
            torch.manual_seed(seed);
            var shape = new[] { elements / 4, 4L };
            using (var two = 2.0.ToScalar())
            using (var raw = torch.randn(shape))
                input = raw.mul(two).requires_grad_(true);
            target = torch.randn(shape);
            if (variant == Variant.TargetGrad)
                target.requires_grad_(true);
            if (variant == Variant.Weighted)
                weight = torch.rand(shape);
            differentiable = variant == Variant.TargetGrad ? new[] { input, target } : new[] { input };
            if (variant == Variant.None)
                gradOutputs = new[] { torch.ones(shape) };
        }

        /// <summary>The number of elements of input.</summary>
        public long Elements => input.numel();

        private nn.Reduction Reduction => variant switch
        {
            Variant.None => nn.Reduction.None,
            Variant.Sum => nn.Reduction.Sum,
            _ => nn.Reduction.Mean,
        };

        /// <summary>Runs one forward and backward of <paramref name="method"/>.</summary>
        public void Run(Method method)
        {
            using var scope = torch.NewDisposeScope();
            Backward(Forward(method));
        }

        /// <summary>The forward of <paramref name="method"/> (the caller owns the scope).</summary>
        public Tensor Forward(Method method) => method switch
        {
            Method.Fused => Fused(),
            Method.Ours => Ours(),
            _ => Naive(),
        };

        /// <summary>
        /// Backward of a loss returned by <see cref="Forward"/>: by default <c>torch.autograd.grad</c>, which gives the
        /// gradients of the loss alone (nothing accumulates between iterations). With <see cref="IntoLeafGrad"/>,
        /// <c>loss.backward()</c> into the leaves' <c>.grad</c>, reset to None afterwards (TorchSharp's and PyTorch's default
        /// <c>zero_grad(set_to_none: true)</c>): that adds libtorch's AccumulateGrad, which steals a gradient nobody else
        /// references but copies one that is still referenced — and every gradient returned by a TorchSharp custom
        /// autograd function still is (by its managed handle).
        /// </summary>
        public void Backward(Tensor loss)
        {
            if (!IntoLeafGrad)
            {
                torch.autograd.grad(new[] { loss }, differentiable, gradOutputs);
                return;
            }
            loss.backward(gradOutputs);
            foreach (var leaf in differentiable)
            {
                leaf.grad?.Dispose();
                leaf.grad = null;
            }
        }

        /// <summary>Whether <see cref="Backward"/> runs <c>loss.backward()</c> into <c>.grad</c> (env TORCHLOSSES_BENCH_INTO_GRAD=1).</summary>
        public static bool IntoLeafGrad { get; } = System.Environment.GetEnvironmentVariable(BenchmarkSettings.IntoGradVariable) == "1";

        /// <summary>libtorch's fused kernel; with a weight, the PyTorch idiom: reduction none, multiply, mean.</summary>
        private Tensor Fused()
        {
            var reduction = weight is null ? Reduction : nn.Reduction.None;
            var loss = kind == LossKind.Huber
                ? nn.functional.huber_loss(input, target, Threshold, reduction)
                : nn.functional.smooth_l1_loss(input, target, reduction, Threshold);
            return weight is null ? loss : loss.mul(weight).mean();
        }

        private Tensor Ours() => kind == LossKind.Huber
            ? functional.huber_loss(input, target, Threshold, Reduction, weight)
            : functional.smooth_l1_loss(input, target, Reduction, Threshold, weight);

        /// <summary>The textbook composition: every op recorded by autograd.</summary>
        private Tensor Naive()
        {
            var difference = input.sub(target);
            var absolute = difference.abs();
            var square = difference.mul(difference);
            Tensor elementwise = kind == LossKind.Huber
                ? torch.where(absolute.lt(threshold), square.mul(half), absolute.sub(halfThreshold).mul(threshold))
                : torch.where(absolute.lt(threshold), square.mul(halfOverThreshold), absolute.sub(halfThreshold));
            if (weight is not null)
                elementwise = elementwise.mul(weight);
            return Reduction switch
            {
                nn.Reduction.None => elementwise,
                nn.Reduction.Sum => elementwise.sum(),
                _ => elementwise.mean(),
            };
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            input.Dispose();
            target.Dispose();
            weight?.Dispose();
            if (gradOutputs is not null)
                foreach (var gradient in gradOutputs)
                    gradient.Dispose();
            threshold.Dispose();
            half.Dispose();
            halfThreshold.Dispose();
            halfOverThreshold.Dispose();
        }
    }
}
