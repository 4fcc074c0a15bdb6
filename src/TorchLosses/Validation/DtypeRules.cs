using System;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Validation
{
    /// <summary>
    /// libtorch's dtype rules for a loss of input and target of different dtypes (float32 predictions against a float64
    /// or integer target, say): both are promoted to their common dtype (<c>torch.result_type</c>: a floating dtype wins over
    /// an integer one, the wider floating dtype over the narrower, a 0-d tensor does not widen a dimensioned one), the
    /// elementwise loss is computed there, and the result has the common dtype (<c>smooth_l1_loss</c>) or input's dtype
    /// (<c>huber_loss</c>, which writes into a tensor like input).
    /// </summary>
    internal static class DtypeRules
    {
        /// <summary>The dtype the loss is computed in; throws, naming the argument, for what libtorch refuses.</summary>
        /// <param name="input">Predictions.</param>
        /// <param name="target">Targets.</param>
        /// <param name="resultHasInputDtype">Whether the loss takes input's dtype (then input must be floating point).</param>
        /// <param name="function">The function's name, for messages.</param>
        public static ScalarType Common(Tensor input, Tensor target, bool resultHasInputDtype, string function)
        {
            // The usual call, first and without allocating: one real floating dtype.
            if (input.dtype == target.dtype && input.is_floating_point())
                return input.dtype;
            Real(input, nameof(input), function);
            Real(target, nameof(target), function);
            if (resultHasInputDtype && !input.is_floating_point())
                throw new ArgumentException(
                    $"input has dtype {input.dtype}; {function} gives a loss of input's dtype, so input must be floating point " +
                    "(libtorch refuses it too): convert it, for example input.to(ScalarType.Float32).", nameof(input));
            var common = torch.result_type(input, target);
            if (!torch.is_floating_point(common))
                throw new ArgumentException(
                    $"input has dtype {input.dtype} and target {target.dtype}; {function} needs a floating-point input or target: " +
                    "convert input, for example input.to(ScalarType.Float32).", nameof(input));
            return common;
        }

        private static void Real(Tensor tensor, string name, string function)
        {
            if (tensor.is_complex())
                throw new ArgumentException(
                    $"{name} has dtype {tensor.dtype}; {function} needs real tensors: pass {name}.real or {name}.abs().", name);
        }
    }
}
