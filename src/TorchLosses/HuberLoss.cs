using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// Huber loss as a module, a drop-in for <c>torch.nn.HuberLoss(delta, reduction)</c>:
    /// ℓ(x) = ½x² if |x| &lt; δ, else δ(|x| − ½δ), with x = input − target; gradient clamp(x, −δ, δ).
    /// Computed by composed TorchSharp ops in a custom autograd function, on any device.
    /// See <see href="https://pytorch.org/docs/stable/generated/torch.nn.HuberLoss.html">torch.nn.HuberLoss</see>.
    /// </summary>
    public sealed class HuberLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <summary>Creates the loss. Throws <see cref="System.ArgumentOutOfRangeException"/> for δ ≤ 0 or NaN.</summary>
        /// <param name="delta">δ &gt; 0, where the loss turns from quadratic to linear.</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        public HuberLoss(double delta = 1.0, nn.Reduction reduction = nn.Reduction.Mean) : base(reduction)
        {
            ArgumentChecks.Threshold(delta, nameof(delta), zeroAllowed: false);
            this.delta = delta;
        }

        /// <summary>δ: the error size where the loss turns from quadratic to linear.</summary>
        public double delta { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>, reduced as configured.</summary>
        /// <param name="input">Predictions: a floating-point tensor.</param>
        /// <param name="target">Targets, broadcastable with input.</param>
        /// <returns>A new tensor.</returns>
        public override Tensor forward(Tensor input, Tensor target)
            => functional.huber_loss(input, target, delta, reduction);

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
            => functional.huber_loss(input, target, delta, reduction, weight, normalizer);
    }
}
