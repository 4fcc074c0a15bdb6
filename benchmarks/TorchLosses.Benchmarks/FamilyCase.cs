using System;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Benchmarks
{
    /// <summary>The robust-regression family's losses, at the parameters the family benchmark runs.</summary>
    public enum FamilyLoss
    {
        /// <summary>Pseudo-Huber with δ = 1 (ours: the vector form).</summary>
        PseudoHuber,
        /// <summary>Barron's general loss at a fixed α = 1.5, c = 1 (ours: the engine at a number α).</summary>
        General,
        /// <summary>Barron's general loss with α and c as [1, 4] tensors that require a gradient (the adaptive loss's inner call).</summary>
        GeneralLearned,
        /// <summary>Log-cosh.</summary>
        LogCosh,
        /// <summary>Balanced L1 at mmdetection's defaults.</summary>
        BalancedL1,
    }

    /// <summary>The two implementations of a family loss compared side by side.</summary>
    public enum FamilyMethod
    {
        /// <summary>The textbook formula composed from TorchSharp ops, every op recorded by autograd (the baseline).</summary>
        Obvious,
        /// <summary>TorchLosses' functional.</summary>
        Ours,
    }

    /// <summary>
    /// One family case: float32 CPU tensors [N/4, 4] (values as in <see cref="LossCase"/>: N(0, 2²) minus N(0, 1)), Mean,
    /// forward and backward with <c>torch.autograd.grad</c> inside one dispose scope per call. Every Scalar is explicit and
    /// lives as long as the case.
    /// </summary>
    public sealed class FamilyCase : IDisposable
    {
        private readonly FamilyLoss kind;
        private readonly Tensor input;
        private readonly Tensor target;
        private readonly Tensor alpha;
        private readonly Tensor scale;
        private readonly Tensor[] differentiable;
        private readonly Scalar one = 1.0.ToScalar();
        private readonly Scalar two = 2.0.ToScalar();
        private readonly Scalar half = 0.5.ToScalar();
        private readonly Scalar generalAlphaHalf = 0.75.ToScalar();            // α/2 at α = 1.5
        private readonly Scalar generalFactor = (0.5 / 1.5).ToScalar();       // b/α = |α − 2|/α
        private readonly Scalar generalInverseB = 2.0.ToScalar();              // 1/b
        private readonly Scalar logTwo = Math.Log(2).ToScalar();
        private readonly Scalar balancedB = (Math.Exp(3.0) - 1).ToScalar();   // b = e^(γ/α) − 1 at α = 0.5, γ = 1.5
        private readonly Scalar balancedAlphaOverB = (0.5 / (Math.Exp(3.0) - 1)).ToScalar();
        private readonly Scalar balancedAlpha = 0.5.ToScalar();
        private readonly Scalar balancedGamma = 1.5.ToScalar();
        private readonly Scalar balancedConstant = (1.5 / (Math.Exp(3.0) - 1) - 0.5).ToScalar();

        /// <summary>Creates the tensors of a case.</summary>
        public FamilyCase(FamilyLoss kind, long elements, long seed = 42)
        {
            this.kind = kind;
            torch.manual_seed(seed);
            var shape = new[] { elements / 4, 4L };
            using (var two = 2.0.ToScalar())
            using (var raw = torch.randn(shape))
                input = raw.mul(two).requires_grad_(true);
            target = torch.randn(shape);
            using (var value = 1.5.ToScalar())
                alpha = torch.full(new long[] { 1, 4 }, value).requires_grad_(kind == FamilyLoss.GeneralLearned);
            scale = torch.ones(1, 4).requires_grad_(kind == FamilyLoss.GeneralLearned);
            differentiable = kind == FamilyLoss.GeneralLearned ? new[] { input, alpha, scale } : new[] { input };
        }

        /// <summary>Runs one forward and backward of <paramref name="method"/>.</summary>
        public void Run(FamilyMethod method)
        {
            using var scope = torch.NewDisposeScope();
            var loss = method == FamilyMethod.Ours ? Ours() : Obvious();
            torch.autograd.grad(new[] { loss }, differentiable);
        }

        private Tensor Ours() => kind switch
        {
            FamilyLoss.PseudoHuber => functional.pseudo_huber_loss(input, target, 1.0),
            FamilyLoss.General => functional.general_robust_loss(input, target, 1.5, 1.0),
            FamilyLoss.GeneralLearned => functional.general_robust_loss(input, target, alpha, scale),
            FamilyLoss.LogCosh => functional.log_cosh_loss(input, target),
            _ => functional.balanced_l1_loss(input, target),
        };

        /// <summary>The textbook formulas as people write them.</summary>
        private Tensor Obvious()
        {
            var x = input.sub(target);
            Tensor elementwise;
            switch (kind)
            {
                case FamilyLoss.PseudoHuber: // δ²(√(1 + (x/δ)²) − 1) at δ = 1
                    elementwise = x.mul(x).add(one, one).sqrt().sub(one);
                    break;
                case FamilyLoss.General: // (b/α)(((x/c)²/b + 1)^(α/2) − 1) at α = 1.5, c = 1
                    elementwise = x.mul(x).mul(generalInverseB).add(one, one).pow(generalAlphaHalf).sub(one).mul(generalFactor);
                    break;
                case FamilyLoss.GeneralLearned: // the same with α and c tensors, as robust_loss_pytorch writes it
                {
                    var b = alpha.sub(two).abs();
                    var u = x.div(scale);
                    elementwise = u.mul(u).div(b).add(one, one).pow(alpha.mul(half)).sub(one).mul(b.div(alpha));
                    break;
                }
                case FamilyLoss.LogCosh:
                    elementwise = x.cosh().log();
                    break;
                default: // mmdetection's balanced_l1_loss
                {
                    var d = x.abs();
                    var inner = d.mul(balancedB).add(one, one).mul(d.mul(balancedB).add(one, one).log()).mul(balancedAlphaOverB).sub(d.mul(balancedAlpha));
                    var outer = d.mul(balancedGamma).add(balancedConstant, one);
                    elementwise = torch.where(d.lt(one), inner, outer);
                    break;
                }
            }
            return elementwise.mean();
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            input.Dispose();
            target.Dispose();
            alpha.Dispose();
            scale.Dispose();
            foreach (var scalar in new[] { one, two, half, generalAlphaHalf, generalFactor, generalInverseB, logTwo, balancedB,
                         balancedAlphaOverB, balancedAlpha, balancedGamma, balancedConstant })
                scalar.Dispose();
        }
    }
}
