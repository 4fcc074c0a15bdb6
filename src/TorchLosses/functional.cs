using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// The functional forms of the robust regression losses, named like <c>torch.nn.functional</c>.
    /// Each matches libtorch's fused kernel (<c>torch.nn.functional.huber_loss</c> / <c>smooth_l1_loss</c>) and adds
    /// what detection code needs: a per-element <c>weight</c>, a <c>normalizer</c> for the mean, and per-coordinate thresholds.
    /// </summary>
#pragma warning disable CS8981 // lowercase on purpose, like torch.nn.functional
    public static class functional
#pragma warning restore CS8981
    {
        /// <summary>
        /// Huber loss. With x = input − target (broadcast):
        /// ℓ(x) = ½x² if |x| &lt; δ, else δ(|x| − ½δ); gradient clamp(x, −δ, δ).
        /// Then loss = reduce(weight · ℓ): None keeps the elementwise loss, Sum adds it up, Mean divides the sum by the
        /// element count N, or by <paramref name="normalizer"/> when given.
        /// See <see href="https://pytorch.org/docs/stable/generated/torch.nn.functional.huber_loss.html">torch.nn.functional.huber_loss</see>.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of any shape.</param>
        /// <param name="target">Targets: the same dtype and device as input, broadcastable with it.</param>
        /// <param name="delta">δ &gt; 0, where the loss turns from quadratic to linear. +∞ gives ½x².</param>
        /// <param name="reduction">None, Mean (default) or Sum, as <c>torch.nn.Reduction</c>.</param>
        /// <param name="weight">Optional per-element weights, broadcastable to the loss (for example 0/1 per box coordinate).</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only: what torchvision's
        /// Fast R-CNN divides by (the number of sampled RoIs) and mmdetection calls <c>avg_factor</c>.</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the broadcast shape for None.</returns>
        public static Tensor huber_loss(Tensor input, Tensor target, double delta = 1.0, nn.Reduction reduction = nn.Reduction.Mean,
            Tensor? weight = null, double? normalizer = null)
            => RobustLoss.Compute(RobustLossKind.Huber, input, target, delta, null, nameof(delta), reduction, weight, normalizer);

        /// <summary>
        /// Huber loss with one δ per coordinate: <paramref name="delta"/> is a tensor broadcastable to the loss, for example
        /// shape [4] for boxes of shape [N, 4]. δ is a constant (no gradient flows into it). On the CPU a non-positive or
        /// NaN entry throws; on an accelerator, where checking would need a device sync, such entries make the loss NaN.
        /// Otherwise as <see cref="huber_loss(Tensor, Tensor, double, nn.Reduction, Tensor?, double?)"/>.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of any shape.</param>
        /// <param name="target">Targets: the same dtype and device as input, broadcastable with it.</param>
        /// <param name="delta">δ per coordinate, every entry &gt; 0; on input's device.</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        /// <param name="weight">Optional per-element weights, broadcastable to the loss.</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only.</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the broadcast shape for None.</returns>
        public static Tensor huber_loss(Tensor input, Tensor target, Tensor delta, nn.Reduction reduction = nn.Reduction.Mean,
            Tensor? weight = null, double? normalizer = null)
            => RobustLoss.Compute(RobustLossKind.Huber, input, target, double.NaN,
                delta ?? throw new System.ArgumentNullException(nameof(delta)), nameof(delta), reduction, weight, normalizer);

        /// <summary>
        /// Smooth L1 loss. With x = input − target (broadcast):
        /// ℓ(x) = ½x²/β if |x| &lt; β, else |x| − ½β; gradient clamp(x, −β, β)/β. β = 0 is exactly L1: ℓ = |x| with
        /// gradient sign(x), 0 at x = 0 (libtorch's kernels give −1 on the CPU and NaN on CUDA there).
        /// Smooth L1 with β equals Huber with δ = β divided by β.
        /// Then loss = reduce(weight · ℓ), Mean dividing by N or by <paramref name="normalizer"/>.
        /// See <see href="https://pytorch.org/docs/stable/generated/torch.nn.functional.smooth_l1_loss.html">torch.nn.functional.smooth_l1_loss</see>.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of any shape.</param>
        /// <param name="target">Targets: the same dtype and device as input, broadcastable with it.</param>
        /// <param name="reduction">None, Mean (default) or Sum, as <c>torch.nn.Reduction</c>.</param>
        /// <param name="beta">β ≥ 0, where the loss turns from quadratic to linear; torchvision's Faster R-CNN uses 1/9.</param>
        /// <param name="weight">Optional per-element weights, broadcastable to the loss.</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only (torchvision: the number
        /// of sampled RoIs; mmdetection: <c>avg_factor</c>).</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the broadcast shape for None.</returns>
        public static Tensor smooth_l1_loss(Tensor input, Tensor target, nn.Reduction reduction = nn.Reduction.Mean, double beta = 1.0,
            Tensor? weight = null, double? normalizer = null)
            => RobustLoss.Compute(RobustLossKind.SmoothL1, input, target, beta, null, nameof(beta), reduction, weight, normalizer);

        /// <summary>
        /// Smooth L1 loss with one β per coordinate: <paramref name="beta"/> is a tensor broadcastable to the loss; entries
        /// of 0 give L1 for that coordinate. β is a constant (no gradient flows into it). On the CPU a negative or NaN
        /// entry throws; on an accelerator such entries make the loss NaN.
        /// Otherwise as <see cref="smooth_l1_loss(Tensor, Tensor, nn.Reduction, double, Tensor?, double?)"/>.
        /// </summary>
        /// <param name="input">Predictions: a floating-point tensor of any shape.</param>
        /// <param name="target">Targets: the same dtype and device as input, broadcastable with it.</param>
        /// <param name="beta">β per coordinate, every entry ≥ 0; on input's device.</param>
        /// <param name="reduction">None, Mean (default) or Sum.</param>
        /// <param name="weight">Optional per-element weights, broadcastable to the loss.</param>
        /// <param name="normalizer">Optional divisor of the summed loss in place of N, for Mean only.</param>
        /// <returns>A new tensor: 0-d for Mean and Sum, the broadcast shape for None.</returns>
        public static Tensor smooth_l1_loss(Tensor input, Tensor target, Tensor beta, nn.Reduction reduction = nn.Reduction.Mean,
            Tensor? weight = null, double? normalizer = null)
            => RobustLoss.Compute(RobustLossKind.SmoothL1, input, target, double.NaN,
                beta ?? throw new System.ArgumentNullException(nameof(beta)), nameof(beta), reduction, weight, normalizer);
    }
}
