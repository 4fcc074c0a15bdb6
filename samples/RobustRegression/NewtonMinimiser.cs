using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RobustRegression
{
    /// <summary>How a minimisation ended.</summary>
    /// <param name="Iterations">Newton steps taken.</param>
    /// <param name="Objective">The objective's value at the end.</param>
    /// <param name="MaxAbsGradient">The largest |∂objective/∂θ| over all parameter entries at the end.</param>
    /// <param name="Converged">Whether <see cref="MaxAbsGradient"/> reached the tolerance.</param>
    internal sealed record MinimiserResult(int Iterations, double Objective, double MaxAbsGradient, bool Converged);

    /// <summary>
    /// Damped Newton's method for a few parameters (here 4 to 6), with the objective's value, gradient and Hessian all
    /// taken by TorchSharp's autograd through the loss (the Hessian by double backward: the gradient is recorded with
    /// <c>create_graph: true</c> and differentiated once per parameter entry). The Newton system (H + λI)d = −g is solved
    /// on the host by Cholesky, with λ = 0 when H is positive definite and the smallest λ of the form 10ᵏ·10⁻¹⁰·max Hᵢᵢ
    /// that makes it so otherwise; a backtracking line search on the objective keeps every step a descent step.
    /// Every Scalar is explicit: TorchSharp 0.107's <c>optim.*</c> pass C# doubles to libtorch through implicit Scalar
    /// conversions, the GC hole this repository documents (BannedSymbols.txt).
    /// </summary>
    internal static class NewtonMinimiser
    {
        /// <summary>
        /// Minimises <paramref name="objective"/> (a 0-d float64 tensor recomputed from the parameters on each call) over
        /// <paramref name="parameters"/>, starting from their current values, until max |gradient| ≤
        /// <paramref name="gradientTolerance"/>. The parameters hold the minimiser on return.
        /// </summary>
        public static MinimiserResult Minimise(Func<Tensor> objective, IReadOnlyList<Parameter> parameters,
            double gradientTolerance = 1e-10, int maxIterations = 200)
        {
            double[] x = Read(parameters);
            var (f, g, h) = Evaluate(objective, parameters, withHessian: true);
            for (int iteration = 0; ; iteration++)
            {
                double gMax = MaxAbs(g);
                if (gMax <= gradientTolerance) return new MinimiserResult(iteration, f, gMax, true);
                if (iteration == maxIterations) return new MinimiserResult(iteration, f, gMax, false);

                double[] d = DampedNewtonDirection(h!, g);
                double slope = Dot(g, d);
                bool accepted = false;
                double[] trial = new double[x.Length];
                double fTrial = f;
                double[] gTrial = g;
                for (double t = 1; t > 1e-16; t *= 0.5)
                {
                    for (int i = 0; i < x.Length; i++) trial[i] = x[i] + t * d[i];
                    Write(parameters, trial);
                    (fTrial, gTrial, _) = Evaluate(objective, parameters, withHessian: false);
                    // Armijo's sufficient decrease; or, once the decrease is below the objective's round-off, a smaller gradient.
                    bool sufficientDecrease = fTrial <= f + 1e-4 * t * slope;
                    bool roundOffLevel = fTrial <= f + 1e-13 * Math.Max(1, Math.Abs(f)) && MaxAbs(gTrial) < gMax;
                    if (sufficientDecrease || roundOffLevel)
                    {
                        accepted = true;
                        break;
                    }
                }
                if (!accepted)
                {
                    Write(parameters, x);
                    return new MinimiserResult(iteration, f, gMax, false);
                }
                Array.Copy(trial, x, x.Length);
                (f, g, h) = Evaluate(objective, parameters, withHessian: true);
            }
        }

        /// <summary>The objective, its gradient and (optionally) its Hessian at the parameters' current values.</summary>
        private static (double Value, double[] Gradient, double[,]? Hessian) Evaluate(Func<Tensor> objective, IReadOnlyList<Parameter> parameters, bool withHessian)
        {
            using var scope = NewDisposeScope();
            Tensor[] inputs = parameters.Cast<Tensor>().ToArray();
            var value = objective();
            if (!value.requires_grad)
                throw new InvalidOperationException("The objective does not depend on the parameters (no autograd graph).");
            var gradients = autograd.grad([value], inputs, retain_graph: withHessian, create_graph: withHessian);
            var flat = cat(gradients.Select(t => t.reshape(-1)).ToArray());
            double[] gradient = flat.detach().data<double>().ToArray();
            double f = value.detach().item<double>();
            if (!withHessian) return (f, gradient, null);

            int n = gradient.Length;
            var hessian = new double[n, n];
            if (flat.requires_grad)   // no graph means a gradient constant in θ: the Hessian is zero
            {
                for (int i = 0; i < n; i++)
                {
                    var rows = autograd.grad([flat[i]], inputs, retain_graph: true, allow_unused: true);
                    int j = 0;
                    for (int k = 0; k < rows.Count; k++)
                    {
                        int size = (int)inputs[k].numel();
                        if (rows[k] is not null && !rows[k].IsInvalid)
                        {
                            double[] row = rows[k].detach().reshape(-1).data<double>().ToArray();
                            for (int m = 0; m < size; m++) hessian[i, j + m] = row[m];
                        }
                        j += size;
                    }
                }
                // Symmetrise the round-off of the double backward.
                for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                    hessian[i, j] = hessian[j, i] = 0.5 * (hessian[i, j] + hessian[j, i]);
            }
            return (f, gradient, hessian);
        }

        /// <summary>d solving (H + λI)d = −g, λ ≥ 0 the smallest tried value for which H + λI has a Cholesky factor.</summary>
        internal static double[] DampedNewtonDirection(double[,] h, double[] g)
        {
            int n = g.Length;
            double diagonalMax = 0;
            for (int i = 0; i < n; i++) diagonalMax = Math.Max(diagonalMax, Math.Abs(h[i, i]));
            double lambda = 0;
            for (int attempt = 0; attempt < 40; attempt++)
            {
                var shifted = (double[,])h.Clone();
                for (int i = 0; i < n; i++) shifted[i, i] += lambda;
                if (Cholesky.TryFactor(shifted, out var factor))
                {
                    double[] minusG = g.Select(v => -v).ToArray();
                    return Cholesky.Solve(factor, minusG);
                }
                lambda = lambda == 0 ? 1e-10 * Math.Max(1, diagonalMax) : lambda * 10;
            }
            return g.Select(v => -v).ToArray();   // steepest descent, if even a large shift fails (NaN in H)
        }

        private static double[] Read(IReadOnlyList<Parameter> parameters)
        {
            using var noGrad = no_grad();
            return parameters.SelectMany(p => p.detach().reshape(-1).data<double>().ToArray()).ToArray();
        }

        private static void Write(IReadOnlyList<Parameter> parameters, double[] values)
        {
            using var noGrad = no_grad();
            int offset = 0;
            foreach (var p in parameters)
            {
                int size = (int)p.numel();
                using var source = tensor(values.AsSpan(offset, size).ToArray(), dtype: float64).reshape(p.shape);
                p.copy_(source);
                offset += size;
            }
        }

        private static double MaxAbs(double[] v) => v.Length == 0 ? 0 : v.Max(Math.Abs);

        private static double Dot(double[] a, double[] b)
        {
            double s = 0;
            for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
            return s;
        }
    }

    /// <summary>Cholesky factorisation and solve for small dense symmetric positive definite systems.</summary>
    internal static class Cholesky
    {
        /// <summary>Lower-triangular L with LLᵀ = A, or false when A is not (numerically) positive definite.</summary>
        public static bool TryFactor(double[,] a, out double[,] l)
        {
            int n = a.GetLength(0);
            l = new double[n, n];
            for (int j = 0; j < n; j++)
            {
                double diagonal = a[j, j];
                for (int k = 0; k < j; k++) diagonal -= l[j, k] * l[j, k];
                if (!(diagonal > 0)) return false;
                l[j, j] = Math.Sqrt(diagonal);
                for (int i = j + 1; i < n; i++)
                {
                    double s = a[i, j];
                    for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                    l[i, j] = s / l[j, j];
                }
            }
            return true;
        }

        /// <summary>x solving LLᵀx = b.</summary>
        public static double[] Solve(double[,] l, double[] b)
        {
            int n = b.Length;
            var y = new double[n];
            for (int i = 0; i < n; i++)
            {
                double s = b[i];
                for (int k = 0; k < i; k++) s -= l[i, k] * y[k];
                y[i] = s / l[i, i];
            }
            var x = new double[n];
            for (int i = n - 1; i >= 0; i--)
            {
                double s = y[i];
                for (int k = i + 1; k < n; k++) s -= l[k, i] * x[k];
                x[i] = s / l[i, i];
            }
            return x;
        }
    }
}
