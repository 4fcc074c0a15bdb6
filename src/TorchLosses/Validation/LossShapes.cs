namespace TorchLosses.Validation
{
    /// <summary>
    /// The shapes of one call, read once during the argument checks (each <c>Tensor.shape</c> is a native call that
    /// allocates an array): backward needs them to sum broadcast gradients back, and Mean needs the element count.
    /// </summary>
    /// <param name="Input">Shape of input.</param>
    /// <param name="Target">Shape of target.</param>
    /// <param name="Weight">Shape of weight, when there is one.</param>
    /// <param name="Loss">Shape of the elementwise loss: the broadcast of input and target.</param>
    /// <param name="ElementCount">Number of elements of the loss after broadcasting (the divisor of Mean).</param>
    internal sealed record LossShapes(long[] Input, long[] Target, long[]? Weight, long[] Loss, long ElementCount);
}
