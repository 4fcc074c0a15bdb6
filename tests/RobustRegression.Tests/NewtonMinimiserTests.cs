using System;
using System.Linq;

namespace RobustRegression.Tests
{
    public class NewtonMinimiserTests
    {
        [Fact]
        public void Positive_definite_hessian_gives_the_newton_step()
        {
            double[,] h = { { 4, 1, 0 }, { 1, 3, 1 }, { 0, 1, 2 } };
            double[] g = [1, -2, 0.5];
            double[] d = NewtonMinimiser.DampedNewtonDirection(h, g);
            for (int i = 0; i < 3; i++)
            {
                double hd = Enumerable.Range(0, 3).Sum(j => h[i, j] * d[j]);
                Assert.True(Math.Abs(hd + g[i]) <= 1e-14, $"row {i}: (Hd)ᵢ = {hd}, −gᵢ = {-g[i]}");
            }
        }

        [Fact]
        public void Indefinite_hessian_still_gives_a_descent_direction()
        {
            double[,] h = { { 1, 0 }, { 0, -2 } };
            double[] g = [1, 1];
            double[] d = NewtonMinimiser.DampedNewtonDirection(h, g);
            Assert.True(g[0] * d[0] + g[1] * d[1] < 0, $"g·d = {g[0] * d[0] + g[1] * d[1]}");
        }
    }
}
