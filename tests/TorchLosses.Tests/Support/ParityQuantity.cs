namespace TorchLosses.Tests.Support
{
    /// <summary>What a parity check compares.</summary>
    public enum ParityQuantity
    {
        /// <summary>The loss (elementwise for reduction None).</summary>
        Value,

        /// <summary>The gradient of input or of target.</summary>
        Gradient,
    }
}
