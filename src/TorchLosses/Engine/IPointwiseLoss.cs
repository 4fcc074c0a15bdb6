using System;
using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Engine
{
    /// <summary>
    /// The definition of a pointwise loss ρ of the residual x = input − target: what a loss file states, once; the engine
    /// (<see cref="LossEngine"/>) owns everything else (argument checks, dispatch, weights, reductions, autograd, the
    /// exception boundary). A definition gives ρ and ρ′ in two forms that must agree bit for bit:
    /// <list type="bullet">
    /// <item>composed TorchSharp ops, for any device and dtype. <see cref="Derivative(Tensor)"/> is differentiable when its
    /// argument requires a gradient (create_graph), and autograd's derivative of it is ρ″: that is the engine's second order.</item>
    /// <item><see cref="Vector{T}"/> arithmetic (and its scalar twin for the tail) for the CPU fast path in float32/float64,
    /// the same IEEE operations in the same order as the composed ops.</item>
    /// </list>
    /// Implementations are small readonly structs holding their parameters; Scalars are created explicitly and kept alive
    /// across each native call. A loss whose ρ needs transcendental functions (log, exp) has no vector form: it leaves
    /// <see cref="Vectorizes"/> false and the vector members to their defaults, which the engine then never calls.
    /// A loss whose parameter tensors can require a gradient (Barron's α and scale) gives their partial derivatives by
    /// <see cref="ParameterDerivative"/>.
    /// </summary>
    /// <typeparam name="TSelf">The implementing struct (one autograd function per loss type).</typeparam>
    internal interface IPointwiseLoss<TSelf> where TSelf : struct, IPointwiseLoss<TSelf>
    {
        /// <summary>
        /// libtorch's dtype rule for this loss when input and target differ: true when the loss has input's dtype
        /// (<c>huber_loss</c>), false when it has their common dtype (<c>smooth_l1_loss</c>, and the default for new losses).
        /// </summary>
        bool ResultHasInputDtype { get; }

        /// <summary>
        /// The loss's parameters that are tensors (per-coordinate thresholds, Barron's α and scale, …), saved for backward. A
        /// threshold is a constant of the graph (detached by <see cref="Prepared"/>); a parameter that may be learned stays
        /// attached, and the engine then returns its gradient, from <see cref="ParameterDerivative"/>.
        /// </summary>
        Tensor[] Tensors { get; }

        /// <summary>This definition with <see cref="Tensors"/> replaced (by the tensors unpacked in backward, or converted ones).</summary>
        TSelf WithTensors(Tensor[] tensors);

        /// <summary>
        /// Checks the parameter tensors against the call (device, shape against the loss shape <paramref name="lossShape"/>) and
        /// returns this definition with them detached, converted to <paramref name="input"/>'s dtype and their values checked.
        /// Reads no value of an accelerator tensor.
        /// </summary>
        TSelf Prepared(Tensor input, long[] lossShape);

        /// <summary>ρ(x), elementwise, by composed ops. Called with grad mode off; may overwrite <paramref name="residual"/>, which is fresh.</summary>
        Tensor Value(Tensor residual);

        /// <summary>
        /// ρ′(x), elementwise, by composed ops; does not modify <paramref name="residual"/>. When the residual requires a gradient
        /// (grad mode on, create_graph), the ops are recorded so that autograd's derivative of the result is ρ″, as libtorch's
        /// double backward of the same loss gives it.
        /// </summary>
        Tensor Derivative(Tensor residual);

        /// <summary>
        /// ∂ρ/∂θ elementwise (θ = <see cref="Tensors"/>[<paramref name="index"/>], broadcast to the residual), by composed ops,
        /// recorded when grad mode is on; does not modify <paramref name="residual"/>. Called only for a parameter tensor that
        /// requires a gradient, which only losses with learnable parameters keep attached.
        /// </summary>
        Tensor ParameterDerivative(Tensor residual, int index) =>
            throw new NotSupportedException($"{typeof(TSelf).Name} has no learnable parameter.");

        /// <summary>Whether the vector form computes this loss in <paramref name="dtype"/> (Float32 or Float64): for Huber and Smooth L1, whenever every parameter is a number.</summary>
        bool Vectorizes(ScalarType dtype) => false;

        /// <summary>ρ(x) of one residual, as <see cref="Value(Tensor)"/> computes it.</summary>
        T Value<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => throw NoVectorForm;

        /// <summary>ρ(x) of <see cref="Vector{T}.Count"/> residuals, as <see cref="Value(Tensor)"/> computes it.</summary>
        Vector<T> Value<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T> => throw NoVectorForm;

        /// <summary>ρ′(x) of one residual, as <see cref="Derivative(Tensor)"/> computes it.</summary>
        T Derivative<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => throw NoVectorForm;

        /// <summary>ρ′(x) of <see cref="Vector{T}.Count"/> residuals, as <see cref="Derivative(Tensor)"/> computes it.</summary>
        Vector<T> Derivative<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T> => throw NoVectorForm;

        /// <summary>What the vector members of a loss without a vector form throw (the engine never calls them: <see cref="Vectorizes"/> is false).</summary>
        private static NotSupportedException NoVectorForm => new($"{typeof(TSelf).Name} has no vector form.");
    }
}
