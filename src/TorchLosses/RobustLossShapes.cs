namespace TorchLosses
{
    /// <summary>The shapes backward needs to sum broadcast gradients back, and the element count of the mean.</summary>
    /// <param name="Input">Shape of input.</param>
    /// <param name="Target">Shape of target.</param>
    /// <param name="Weight">Shape of weight, when there is one.</param>
    /// <param name="ElementCount">Number of elements of the loss after broadcasting (the divisor of Mean).</param>
    internal sealed record RobustLossShapes(long[] Input, long[] Target, long[]? Weight, long ElementCount);
}
