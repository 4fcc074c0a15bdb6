using System;
using System.Linq;

namespace RobustRegression.Tests
{
    /// <summary>
    /// Independent references in plain double arithmetic (no TorchSharp, no TorchLosses): least squares by the normal
    /// equations and Huber's M-estimate by iteratively reweighted least squares, the classical algorithm.
    /// </summary>
    internal static class Reference
    {
        public const double T = 1.345;

        public static double[,] X()
        {
            int n = StackLoss.Count;
            var x = new double[n, 4];
            for (int i = 0; i < n; i++)
            {
                x[i, 0] = 1;
                x[i, 1] = StackLoss.AirFlow[i];
                x[i, 2] = StackLoss.WaterTemp[i];
                x[i, 3] = StackLoss.AcidConc[i];
            }
            return x;
        }

        /// <summary>b minimising Σ wᵢ(yᵢ − xᵢb)²: the normal equations XᵀWX b = XᵀWy solved by Gaussian elimination with partial pivoting.</summary>
        public static double[] WeightedLeastSquares(double[] w)
        {
            var x = X();
            double[] y = StackLoss.Loss;
            int n = y.Length, p = 4;
            var a = new double[p, p + 1];
            for (int j = 0; j < p; j++)
            {
                for (int k = 0; k < p; k++)
                for (int i = 0; i < n; i++)
                    a[j, k] += w[i] * x[i, j] * x[i, k];
                for (int i = 0; i < n; i++)
                    a[j, p] += w[i] * x[i, j] * y[i];
            }
            for (int c = 0; c < p; c++)
            {
                int pivot = Enumerable.Range(c, p - c).OrderByDescending(r => Math.Abs(a[r, c])).First();
                for (int k = 0; k <= p; k++) (a[c, k], a[pivot, k]) = (a[pivot, k], a[c, k]);
                for (int r = c + 1; r < p; r++)
                {
                    double factor = a[r, c] / a[c, c];
                    for (int k = c; k <= p; k++) a[r, k] -= factor * a[c, k];
                }
            }
            var b = new double[p];
            for (int r = p - 1; r >= 0; r--)
            {
                double s = a[r, p];
                for (int k = r + 1; k < p; k++) s -= a[r, k] * b[k];
                b[r] = s / a[r, r];
            }
            return b;
        }

        public static double[] Residuals(double[] b)
        {
            var x = X();
            return StackLoss.Loss.Select((y, i) => y - (b[0] * x[i, 0] + b[1] * x[i, 1] + b[2] * x[i, 2] + b[3] * x[i, 3])).ToArray();
        }

        public static double MadScale(double[] r)
        {
            double[] a = r.Select(Math.Abs).OrderBy(v => v).ToArray();
            return a[a.Length / 2] / 0.6745;   // n = 21 is odd: the 11th smallest |r|
        }

        /// <summary>
        /// Huber's M-estimate by IRLS as MASS::rlm computes it by default: from least squares, repeat
        /// σ = median|r|/0.6745 of the current residuals, wᵢ = ψ(uᵢ)/uᵢ = min(1, t/|uᵢ|) with uᵢ = rᵢ/σ, one weighted least
        /// squares step; here until the coefficients and σ stop changing to 1e-13 relative (MASS stops at 1e-4).
        /// </summary>
        public static (double[] Coefficients, double Scale, int Iterations) HuberIrls()
        {
            double[] b = WeightedLeastSquares(Enumerable.Repeat(1.0, StackLoss.Count).ToArray());
            double sigma = MadScale(Residuals(b));
            for (int iteration = 1; iteration <= 100_000; iteration++)
            {
                double[] r = Residuals(b);
                double s = MadScale(r);
                double[] w = r.Select(v => Math.Abs(v / s) <= T ? 1.0 : T / Math.Abs(v / s)).ToArray();
                double[] next = WeightedLeastSquares(w);
                double change = next.Zip(b, (u, v) => Math.Abs(u - v) / Math.Max(1, Math.Abs(v))).Max();
                bool settled = change <= 1e-13 && Math.Abs(s - sigma) <= 1e-13 * s;
                b = next;
                sigma = s;
                if (settled) return (b, MadScale(Residuals(b)), iteration);
            }
            throw new InvalidOperationException("IRLS did not converge.");
        }
    }
}
