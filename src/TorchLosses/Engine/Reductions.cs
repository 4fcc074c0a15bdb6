using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Engine
{
    /// <summary>The reductions and their backward, for every loss: the one place that knows what Mean divides by.</summary>
    internal static class Reductions
    {
        /// <summary>None keeps the elementwise loss; Sum adds it up; Mean is libtorch's mean, or the sum divided by the normaliser.</summary>
        public static Tensor Reduce(Tensor elementwise, nn.Reduction reduction, LossNormalizer? normalizer)
        {
            switch (reduction)
            {
                case nn.Reduction.None:
                    return elementwise;
                case nn.Reduction.Sum:
                    return elementwise.sum();
                default:
                    if (normalizer is not { } divisor)
                        return elementwise.mean();
                    if (divisor.Tensor is { } tensor)
                        return elementwise.sum().div_(tensor);
                    using (var number = divisor.Number!.Value.ToScalar())
                        return elementwise.sum().div_(number);
            }
        }

        /// <summary>
        /// The gradient of the reduced loss with respect to each element of the weighted elementwise loss: the incoming gradient
        /// for None (one per element) and Sum, and for Mean the incoming gradient divided by the element count or the normaliser,
        /// in the dtype, as autograd's backward of mean (and of sum().div(normaliser)) divides it. Recorded when grad mode is on.
        /// </summary>
        public static Tensor Scale(Tensor gradOutput, nn.Reduction reduction, long elementCount, LossNormalizer? normalizer)
        {
            if (reduction != nn.Reduction.Mean)
                return gradOutput;
            if (normalizer is { Tensor: { } tensor })
                return gradOutput.div(tensor);
            using var divisor = (normalizer?.Number ?? elementCount).ToScalar();
            return gradOutput.div(divisor);
        }
    }
}
