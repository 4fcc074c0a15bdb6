using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace LossCurves
{
    /// <summary>ℓ(x) and ℓ'(x) of one curve on a grid, computed by TorchLosses and autograd (float64, CPU).</summary>
    public sealed record CurveSamples(LossCurve Curve, double[] X, double[] Loss, double[] Gradient);

    /// <summary>Evaluates a curve with the library: loss with reduction None against target 0, gradient by backward().</summary>
    public static class CurveSampler
    {
        public static CurveSamples Sample(LossCurve curve, double from, double to, int points)
        {
            using var scope = NewDisposeScope();
            var x = linspace(from, to, points, dtype: ScalarType.Float64, requires_grad: true);
            var target = zeros_like(x);
            var loss = curve.Compute(x, target);
            // Every element's loss depends on its own x only, so d(sum ℓ)/dx is ℓ'(x) elementwise.
            loss.sum().backward();
            return new CurveSamples(
                curve,
                x.detach().data<double>().ToArray(),
                loss.detach().data<double>().ToArray(),
                x.grad!.data<double>().ToArray());
        }
    }
}
