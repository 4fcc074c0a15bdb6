using System;

namespace PartitionFunction
{
    /// <summary>
    /// expm1 and log1p accurate to a few ulps. .NET's <c>double.ExpM1</c> and <c>double.LogP1</c> compute exp(x) − 1 and
    /// log(1 + x) literally, which loses every digit for tiny x; these use Kahan's corrections instead.
    /// </summary>
    internal static class Precise
    {
        /// <summary>log(1 + x): u = 1 + x rounds; log(u)·x/(u − 1) cancels that rounding (Kahan).</summary>
        public static double Log1p(double x)
        {
            var u = 1.0 + x;
            if (u == 1.0)
                return x;
            if (double.IsPositiveInfinity(u))
                return u;
            return Math.Log(u) * x / (u - 1.0);
        }

        /// <summary>exp(x) − 1: u = exp(x); (u − 1)·x/log(u) cancels the rounding of u (Kahan).</summary>
        public static double Expm1(double x)
        {
            var u = Math.Exp(x);
            if (u == 1.0)
                return x;
            var um1 = u - 1.0;
            if (um1 == -1.0)
                return -1.0;
            if (double.IsPositiveInfinity(u))
                return u;
            return um1 * x / Math.Log(u);
        }

        /// <summary>log(1 + eʷ) without overflow.</summary>
        public static double Softplus(double w) => w > 0 ? w + Log1p(Math.Exp(-w)) : Log1p(Math.Exp(w));
    }
}
