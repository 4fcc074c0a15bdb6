using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// Smooth L1 loss as a module, a drop-in for <c>torch.nn.SmoothL1Loss(reduction, beta)</c>:
    /// ℓ(x) = ½x²/β if |x| &lt; β, else |x| − ½β, with x = input − target; gradient clamp(x, −β, β)/β.
    /// β = 0 is exactly L1 (gradient sign(x), 0 at x = 0).
    /// Computed by composed TorchSharp ops in a custom autograd function, on any device.
    /// See <see href="https://pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html">torch.nn.SmoothL1Loss</see>.
    /// </summary>
    public sealed class SmoothL1Loss : Loss<Tensor, Tensor, Tensor>
    {
        /// <summary>Creates the loss. Throws <see cref="System.ArgumentOutOfRangeException"/> for β &lt; 0 or NaN.</summary>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        /// <param name="beta">β ≥ 0, where the loss turns from quadratic to linear; torchvision's Faster R-CNN uses 1/9.</param>
        public SmoothL1Loss(nn.Reduction reduction = nn.Reduction.Mean, double beta = 1.0) : base(reduction)
        {
            ArgumentChecks.Threshold(beta, nameof(beta), zeroAllowed: true);
            this.beta = beta;
        }

        /// <summary>β: the error size where the loss turns from quadratic to linear.</summary>
        public double beta { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>, reduced as configured.</summary>
        /// <param name="input">Predictions: a floating-point tensor.</param>
        /// <param name="target">Targets, broadcastable with input.</param>
        /// <returns>A new tensor.</returns>
        public override Tensor forward(Tensor input, Tensor target)
            => functional.smooth_l1_loss(input, target, reduction, beta);

        /// <summary>
        /// The weighted loss: reduce(weight · ℓ), Mean dividing by <paramref name="normalizer"/> when given
        /// (for example the number of sampled RoIs, as torchvision's Fast R-CNN does) instead of the element count.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor.</param>
        /// <param name="target">Targets, broadcastable with input.</param>
        /// <param name="weight">Per-element weights broadcastable to the loss, or null.</param>
        /// <param name="normalizer">Divisor of the summed loss for Mean, or null for the element count.</param>
        /// <returns>A new tensor.</returns>
        public Tensor forward(Tensor input, Tensor target, Tensor? weight, double? normalizer = null)
            => functional.smooth_l1_loss(input, target, reduction, beta, weight, normalizer);
    }
}
