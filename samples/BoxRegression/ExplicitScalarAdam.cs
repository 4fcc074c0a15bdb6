using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>
    /// Adam (Kingma &amp; Ba; PyTorch's default form, no weight decay, no amsgrad) whose every Scalar is explicit and kept alive.
    /// TorchSharp 0.107's <c>optim.Adam</c> passes C# doubles to <c>mul_</c>/<c>add_</c>/<c>addcmul_</c> through implicit
    /// Scalar conversions, the GC hole this repository documents; this is the same update without it.
    /// </summary>
    internal sealed class ExplicitScalarAdam : IDisposable
    {
        private readonly Parameter[] parameters;
        private readonly Tensor[] firstMoment;
        private readonly Tensor[] secondMoment;
        private readonly double[] learningRates;
        private readonly double beta1, beta2, epsilon;
        private int step;

        public ExplicitScalarAdam(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
            : this([(parameters, learningRate)], beta1, beta2, epsilon)
        {
        }

        /// <summary>Adam over parameter groups, each with its own learning rate (PyTorch's parameter groups).</summary>
        public ExplicitScalarAdam(IEnumerable<(IEnumerable<Parameter> Parameters, double LearningRate)> groups, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
        {
            var pairs = groups.SelectMany(g => g.Parameters.Select(p => (Parameter: p, g.LearningRate))).ToArray();
            parameters = pairs.Select(p => p.Parameter).ToArray();
            learningRates = pairs.Select(p => p.LearningRate).ToArray();
            firstMoment = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
            secondMoment = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
            (this.beta1, this.beta2, this.epsilon) = (beta1, beta2, epsilon);
        }

        public void zero_grad()
        {
            foreach (var p in parameters) p.grad?.zero_();
        }

        public void Step()
        {
            step++;
            double correction1 = 1 - Math.Pow(beta1, step), correction2 = 1 - Math.Pow(beta2, step);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var b1 = beta1.ToScalar();
            using var b2 = beta2.ToScalar();
            using var oneMinusB1 = (1 - beta1).ToScalar();
            using var oneMinusB2 = (1 - beta2).ToScalar();
            using var sqrtCorrection2 = Math.Sqrt(correction2).ToScalar();
            using var eps = epsilon.ToScalar();
            using var one = 1.ToScalar();   // add_(Scalar) alone would make its alpha = 1 implicitly
            for (int i = 0; i < parameters.Length; i++)
            {
                var grad = parameters[i].grad;
                if (grad is null) continue;
                firstMoment[i].mul_(b1).add_(grad, oneMinusB1);
                secondMoment[i].mul_(b2).addcmul_(grad, grad, oneMinusB2);
                var denominator = secondMoment[i].sqrt().div_(sqrtCorrection2).add_(eps, one);
                using var stepSize = (-learningRates[i] / correction1).ToScalar();
                parameters[i].addcdiv_(firstMoment[i], denominator, stepSize);
            }
        }

        public void Dispose()
        {
            foreach (var t in firstMoment.Concat(secondMoment)) t.Dispose();
        }
    }
}
