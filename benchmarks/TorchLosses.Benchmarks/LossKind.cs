namespace TorchLosses.Benchmarks
{
    /// <summary>Which robust loss a benchmark runs.</summary>
    public enum LossKind
    {
        /// <summary>Huber with δ = 1.</summary>
        Huber,
        /// <summary>Smooth L1 with β = 1 (a power of two, where ours is bitwise libtorch).</summary>
        SmoothL1,
    }
}
