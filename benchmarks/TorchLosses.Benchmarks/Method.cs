namespace TorchLosses.Benchmarks
{
    /// <summary>The three implementations compared side by side.</summary>
    public enum Method
    {
        /// <summary>libtorch's fused kernels via <c>torch.nn.functional.huber_loss</c> / <c>smooth_l1_loss</c> (the baseline).</summary>
        Fused,
        /// <summary>TorchLosses' <c>functional.huber_loss</c> / <c>smooth_l1_loss</c>.</summary>
        Ours,
        /// <summary>abs / where / mean composed with plain autograd recording every op.</summary>
        Naive,
    }
}
