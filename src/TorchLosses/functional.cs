using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses
{
    /// <summary>
    /// The functional forms of the robust regression losses, named like <c>torch.nn.functional</c>.
    /// Each takes what detection code needs besides PyTorch's arguments: a per-element <c>weight</c> broadcastable to the loss,
    /// a <c>normalizer</c> for the mean, and parameters as tensors (one threshold per coordinate).
    /// </summary>
#pragma warning disable CS8981 // lowercase on purpose, like torch.nn.functional
    public static partial class functional
#pragma warning restore CS8981
    {
        // Each loss adds its functions in its own file under Losses/.
    }
}
