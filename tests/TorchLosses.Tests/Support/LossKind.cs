namespace TorchLosses.Tests.Support
{
    /// <summary>Which of the two losses a test case exercises.</summary>
    public enum LossKind
    {
        /// <summary>Huber with threshold δ.</summary>
        Huber,

        /// <summary>Smooth L1 with threshold β.</summary>
        SmoothL1,
    }
}
