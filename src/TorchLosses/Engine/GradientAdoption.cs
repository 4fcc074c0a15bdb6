using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Engine
{
    /// <summary>
    /// How the inputs of a custom autograd node (the loss node, the box IoU node) enter it so that large leaf gradients are
    /// adopted, not copied. libtorch's AccumulateGrad adopts a gradient as <c>.grad</c> only when nothing else references it,
    /// and a gradient returned by a TorchSharp custom function is still referenced by its managed handle, so it would be
    /// copied (at 16M elements, one more fresh 64 MiB tensor). A leaf that enters through a view of itself gets, from the
    /// view's backward, a new view of that gradient referenced by libtorch alone, which AccumulateGrad adopts.
    /// </summary>
    internal static class GradientAdoption
    {
        /// <summary>From this many elements on, leaves enter through a view; below it the copy costs less than the view.</summary>
        public const long ViewFrom = 1 << 16;

        /// <summary>A view of <paramref name="tensor"/> when it is a leaf that requires a gradient, the tensor itself otherwise.</summary>
        public static Tensor ThroughViewIfLeaf(Tensor tensor) =>
            tensor.requires_grad && tensor.is_leaf ? tensor.view_as(tensor) : tensor;

        /// <summary><paramref name="tensor"/> as a node input for a call of <paramref name="elements"/> elements (null stays null).</summary>
        public static Tensor? Input(Tensor? tensor, long elements) =>
            tensor is null || elements < ViewFrom ? tensor : ThroughViewIfLeaf(tensor);
    }
}
