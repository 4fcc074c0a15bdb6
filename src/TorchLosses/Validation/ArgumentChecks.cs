using System;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Validation
{
    /// <summary>
    /// Turns bad arguments into managed exceptions that name the argument and the fix, before anything reaches libtorch.
    /// Everything here reads shapes, dtypes and devices only: no tensor value is read, so nothing syncs with a device.
    /// </summary>
    internal static class ArgumentChecks
    {
        /// <summary>
        /// The normaliser replaces the element count of the mean, so it needs Mean and a positive finite value. A tensor must be
        /// 0-d, real, on input's device; it is returned detached (a constant) and converted to <paramref name="dtype"/>. Its value
        /// is checked on the CPU only, where reading it costs no device sync; elsewhere a bad value shows in the loss.
        /// </summary>
        public static LossNormalizer? Normalizer(LossNormalizer? normalizer, nn.Reduction reduction, Tensor input, ScalarType dtype)
        {
            if (normalizer is not { } given)
                return null;
            if (reduction != nn.Reduction.Mean)
                throw new ArgumentException(
                    $"normalizer divides the summed loss in place of the element count, so it needs reduction Mean; got {reduction}. " +
                    "Pass reduction: Reduction.Mean, or drop the normalizer.", nameof(normalizer));
            if (given.Tensor is not { } tensor)
            {
                double value = given.Number!.Value;
                if (!(value > 0) || double.IsInfinity(value))
                    throw new ArgumentOutOfRangeException(nameof(normalizer), value,
                        $"normalizer must be a positive finite number (for example the number of sampled RoIs); got {value}.");
                return given;
            }
            if (tensor.is_complex())
                throw new ArgumentException($"normalizer has dtype {tensor.dtype}; give a real count, for example normalizer.real.", nameof(normalizer));
            SameDevice(input, tensor, nameof(normalizer));
            if (tensor.dim() != 0)
                throw new ArgumentException(
                    $"normalizer must be a 0-d tensor (one number); got shape {Broadcasting.Format(Broadcasting.ShapeOf(tensor))}. " +
                    "Reduce it to one number, for example mask.sum(), or reshape a one-element tensor with reshape(Array.Empty<long>()).",
                    nameof(normalizer));
            var converted = tensor.detach().to(dtype);
            if (converted.device_type == DeviceType.CPU)
            {
                double value = converted.to(ScalarType.Float64).item<double>();
                if (!(value > 0) || double.IsInfinity(value))
                    throw new ArgumentOutOfRangeException(nameof(normalizer), value,
                        $"normalizer must be positive and finite (for example the number of sampled RoIs); got {value}.");
            }
            return converted;
        }

        /// <summary>Checks input, target and weight together and returns their shapes and that of the elementwise loss.</summary>
        public static LossShapes Tensors(Tensor input, Tensor target, Tensor? weight)
        {
            if (input is null) throw new ArgumentNullException(nameof(input));
            if (target is null) throw new ArgumentNullException(nameof(target));
            SameDevice(input, target, nameof(target));

            var inputShape = Broadcasting.ShapeOf(input);
            var targetShape = Broadcasting.ShapeOf(target);
            // Same shapes (the usual case) need no broadcast arithmetic.
            var lossShape = (Broadcasting.Same(inputShape, targetShape) ? inputShape : Broadcasting.Shape(inputShape, targetShape))
                ?? throw new ArgumentException(
                    $"input of shape {Broadcasting.Format(inputShape)} and target of shape {Broadcasting.Format(targetShape)} do not broadcast; " +
                    "give them the same shape.", nameof(target));
            if (!Broadcasting.Same(inputShape, targetShape))
                LossWarnings.Raise(
                    $"Using a target size ({Broadcasting.Format(targetShape)}) that is different to the input size ({Broadcasting.Format(inputShape)}). " +
                    "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.");

            long[]? weightShape = null;
            if (weight is not null)
            {
                FloatingPoint(weight, nameof(weight));
                SameDevice(input, weight, nameof(weight));
                weightShape = Broadcasting.ShapeOf(weight);
                if (!Broadcasting.BroadcastsTo(weightShape, lossShape))
                    throw new ArgumentException(
                        $"weight of shape {Broadcasting.Format(weightShape)} does not broadcast to the loss of shape {Broadcasting.Format(lossShape)} " +
                        "(the broadcast of input and target); give it that shape or one that broadcasts to it.", nameof(weight));
            }
            return new LossShapes(inputShape, targetShape, weightShape, lossShape, Broadcasting.ElementCount(lossShape));
        }

        /// <summary>Throws unless <paramref name="tensor"/> is real floating point.</summary>
        public static void FloatingPoint(Tensor tensor, string name)
        {
            if (!tensor.is_floating_point())
                throw new ArgumentException(
                    $"{name} has dtype {tensor.dtype}; robust regression losses need a real floating-point tensor " +
                    $"(Float16, BFloat16, Float32 or Float64): convert it, for example {name}.to(ScalarType.Float32).", name);
        }

        /// <summary>Throws unless <paramref name="other"/> is on <paramref name="input"/>'s device.</summary>
        public static void SameDevice(Tensor input, Tensor other, string name)
        {
            if (other.device_type != input.device_type || other.device_index != input.device_index)
                throw new ArgumentException(
                    $"{name} is on device {other.device} but input is on device {input.device}; move it, for example {name}.to(input.device).", name);
        }
    }
}
