using System;

namespace PartitionFunction
{
    /// <summary>
    /// Barron's general robust loss at scale 1 and its derivative with respect to α, written for x = eˢ (the
    /// integration variable is s = log x) so that every term stays finite and accurate for α ∈ [0, 4].
    /// With b = |α − 2|, z = x², L = log(1 + z/b) and y = αL/2:
    ///   ρ(x, α) = (b/α)·((z/b + 1)^{α/2} − 1) = b·expm1(y)/α   (→ L at α = 0, → z/2 at α = 2).
    /// </summary>
    internal static class RobustDensity
    {
        /// <summary>Above this ρ the density e^{−ρ} is below 1e−347: the point contributes nothing.</summary>
        private const double NegligibleRho = 800.0;

        /// <summary>ρ(eˢ, α).</summary>
        public static double Rho(double s, double alpha)
        {
            if (alpha == 2.0)
                return 0.5 * Math.Exp(2.0 * s);
            var b = Math.Abs(alpha - 2.0);
            var l = Precise.Softplus(2.0 * s - Math.Log(b)); // log(1 + z/b), z = e^{2s}
            return b * Phi(alpha, l);
        }

        /// <summary>
        /// ρ(eˢ, α) and ∂ρ/∂α(eˢ, α) for α ≠ 2. With σ = sign(α − 2), ψ(y) = (y·eʸ − expm1 y)/y² and the identities
        /// b·dL/dα = −σz/(b + z), b·eʸ/(b + z) = exp(σbL/2):
        ///   ∂ρ/∂α = σ·expm1(y)/α + b·(L²/4)·ψ(y) − (σ/2)·eʸ·z/(b + z)              (used for α &lt; 1)
        ///         = −b·eʸ/(2α) + b·(L²/4)·ψ(y) + σ·(exp(σbL/2)/2 − 1/α)            (used for α ≥ 1).
        /// The first form cancels badly near α = 2 (its first and last terms grow like z/b), the second near α = 0 (its
        /// first and last terms grow like 1/α); each is used where it is exact to rounding.
        /// </summary>
        public static (double Rho, double DRho) RhoAndDerivative(double s, double alpha)
        {
            if (alpha == 2.0)
                throw new ArgumentOutOfRangeException(nameof(alpha), "∂ρ/∂α diverges at α = 2 (like −(x²/4)·log|α − 2|).");
            var b = Math.Abs(alpha - 2.0);
            var sigma = alpha > 2.0 ? 1.0 : -1.0;
            var logB = Math.Log(b);
            var l = Precise.Softplus(2.0 * s - logB);
            var y = 0.5 * alpha * l;
            var rho = b * Phi(alpha, l);
            if (rho > NegligibleRho)
                return (rho, 0.0);
            var quadratic = b * 0.25 * l * l * Psi(y);
            double derivative;
            if (alpha < 1.0)
            {
                var zOverBPlusZ = -Precise.Expm1(-l); // z/(b + z) = 1 − e^{−L}
                derivative = sigma * Phi(alpha, l) + quadratic - 0.5 * sigma * Math.Exp(y) * zOverBPlusZ;
            }
            else
            {
                var bExpY = Math.Exp(logB + y);
                derivative = -bExpY / (2.0 * alpha) + quadratic + sigma * (0.5 * Math.Exp(0.5 * sigma * b * l) - 1.0 / alpha);
            }
            return (rho, derivative);
        }

        /// <summary>expm1(αL/2)/α, and its limit L/2 at α = 0.</summary>
        private static double Phi(double alpha, double l) => alpha == 0.0 ? 0.5 * l : Precise.Expm1(0.5 * alpha * l) / alpha;

        /// <summary>ψ(y) = (y·eʸ − expm1 y)/y² = Σ_{k≥2} (k − 1)·y^{k−2}/k!, for y ≥ 0; ψ(0) = 1/2.</summary>
        internal static double Psi(double y)
        {
            if (y < 0.5)
            {
                // Series: terms fall by at least y/2 ≤ 1/4 each, 30 terms reach far below one ulp.
                double sum = 0.0, power = 1.0, factorial = 2.0;
                for (var k = 2; k < 32; k++)
                {
                    sum += (k - 1) * power / factorial;
                    power *= y;
                    factorial *= k + 1;
                }
                return sum;
            }
            return (y * Math.Exp(y) - Precise.Expm1(y)) / (y * y);
        }
    }
}
