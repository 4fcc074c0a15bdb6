using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Engine
{
    /// <summary>
    /// Tensor–number arithmetic for the loss formulas, each number turned into a <see cref="Scalar"/> explicitly and disposed
    /// after its one native call (TorchSharp's implicit conversion leaves the temporary to the finalizer, which can free it
    /// while libtorch reads it). Every method returns a new tensor and leaves its arguments alone.
    /// </summary>
    internal static class ScalarOps
    {
        /// <summary>1, for the <c>alpha</c> of add and sub (kept alive for the process).</summary>
        public static readonly Scalar One = 1.0.ToScalar();

        /// <summary><paramref name="x"/> · <paramref name="value"/>.</summary>
        public static Tensor Mul(Tensor x, double value)
        {
            using var scalar = value.ToScalar();
            return x.mul(scalar);
        }

        /// <summary><paramref name="x"/> / <paramref name="value"/>.</summary>
        public static Tensor Div(Tensor x, double value)
        {
            using var scalar = value.ToScalar();
            return x.div(scalar);
        }

        /// <summary><paramref name="x"/> + <paramref name="value"/>.</summary>
        public static Tensor Add(Tensor x, double value)
        {
            using var scalar = value.ToScalar();
            return x.add(scalar, One);
        }

        /// <summary><paramref name="value"/> − <paramref name="x"/>.</summary>
        public static Tensor SubtractFrom(double value, Tensor x)
        {
            using var scalar = value.ToScalar();
            using var minusOne = (-1).ToScalar();
            return x.mul(minusOne).add_(scalar, One);
        }

        /// <summary><paramref name="x"/> + <paramref name="factor"/>·<paramref name="y"/> (one op).</summary>
        public static Tensor AddScaled(Tensor x, Tensor y, double factor)
        {
            using var scalar = factor.ToScalar();
            return x.add(y, scalar);
        }

        /// <summary><paramref name="x"/> + <paramref name="y"/>.</summary>
        public static Tensor Add(Tensor x, Tensor y) => AddScaled(x, y, 1.0);

        /// <summary>Where <paramref name="condition"/>, <paramref name="value"/>; elsewhere <paramref name="x"/>.</summary>
        public static Tensor Where(Tensor condition, double value, Tensor x)
        {
            using var scalar = value.ToScalar();
            return x.masked_fill(condition, scalar);
        }

        /// <summary>x == <paramref name="value"/>, elementwise.</summary>
        public static Tensor Equal(Tensor x, double value)
        {
            using var scalar = value.ToScalar();
            return x.eq(scalar);
        }

        /// <summary>x &lt; <paramref name="value"/>, elementwise.</summary>
        public static Tensor Less(Tensor x, double value)
        {
            using var scalar = value.ToScalar();
            return x.lt(scalar);
        }

        /// <summary>x &gt; <paramref name="value"/>, elementwise.</summary>
        public static Tensor Greater(Tensor x, double value)
        {
            using var scalar = value.ToScalar();
            return x.gt(scalar);
        }

        /// <summary>A tensor shaped, typed and placed like <paramref name="like"/>, filled with <paramref name="value"/>.</summary>
        public static Tensor Full(Tensor like, double value)
        {
            using var scalar = value.ToScalar();
            return torch.full_like(like, scalar);
        }

        /// <summary>Horner's rule: c₀ + c₁x + c₂x² + … for coefficients <paramref name="coefficients"/> = [c₀, c₁, …].</summary>
        public static Tensor Polynomial(Tensor x, params double[] coefficients)
        {
            var result = Full(x, coefficients[^1]);
            for (int k = coefficients.Length - 2; k >= 0; k--)
            {
                using var scalar = coefficients[k].ToScalar();
                var next = result.mul(x).add_(scalar, One);
                result.Dispose();
                result = next;
            }
            return result;
        }
    }
}
