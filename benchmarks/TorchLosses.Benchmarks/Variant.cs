namespace TorchLosses.Benchmarks
{
    /// <summary>The call variants of the issue: reductions, a weight, and a target that needs a gradient.</summary>
    public enum Variant
    {
        /// <summary>Reduction Mean, gradient for input only (the headline case).</summary>
        Mean,
        /// <summary>Reduction Sum.</summary>
        Sum,
        /// <summary>Reduction None; backward gets a gradient of ones.</summary>
        None,
        /// <summary>Reduction Mean of weight · loss (weight in [0, 1), no gradient).</summary>
        Weighted,
        /// <summary>Reduction Mean with input and target both requiring a gradient.</summary>
        TargetGrad,
    }
}
