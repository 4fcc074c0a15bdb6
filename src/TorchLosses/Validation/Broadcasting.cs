using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace TorchLosses.Validation
{
    /// <summary>Shape arithmetic of NumPy/PyTorch broadcasting, done on the host so that no device is touched.</summary>
    internal static class Broadcasting
    {
        /// <summary>
        /// The shape of <paramref name="tensor"/> through <c>dim()</c> and <c>size(i)</c>: about 0.1 µs, where TorchSharp's
        /// <c>shape</c> property (a native call that allocates the array through a managed callback) costs about 1.5 µs,
        /// which is a tenth of a whole fused loss at a few thousand elements.
        /// </summary>
        public static long[] ShapeOf(Tensor tensor)
        {
            var shape = new long[tensor.dim()];
            for (int i = 0; i < shape.Length; i++)
                shape[i] = tensor.size(i);
            return shape;
        }

        /// <summary>The broadcast shape of <paramref name="a"/> and <paramref name="b"/>, or null where they do not broadcast.</summary>
        public static long[]? Shape(long[] a, long[] b)
        {
            var rank = Math.Max(a.Length, b.Length);
            var result = new long[rank];
            for (int i = 0; i < rank; i++)
            {
                long x = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
                long y = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
                if (x != y && x != 1 && y != 1)
                    return null;
                result[i] = x == 1 ? y : x;
            }
            return result;
        }

        /// <summary>Whether <paramref name="shape"/> broadcasts to <paramref name="destination"/> without enlarging it.</summary>
        public static bool BroadcastsTo(long[] shape, long[] destination)
        {
            var combined = Shape(shape, destination);
            return combined is not null && Same(combined, destination);
        }

        /// <summary>The number of elements of a tensor of this shape.</summary>
        public static long ElementCount(long[] shape)
        {
            long count = 1;
            foreach (var size in shape)
                count *= size;
            return count;
        }

        /// <summary>Whether two shapes are equal.</summary>
        public static bool Same(long[] a, long[] b) => a.AsSpan().SequenceEqual(b);

        /// <summary>PyTorch's <c>torch.Size([2, 3])</c> notation, used in messages.</summary>
        public static string Format(long[] shape) => $"torch.Size([{string.Join(", ", shape)}])";

        /// <summary>
        /// Sums a gradient of the broadcast shape <paramref name="gradientShape"/> back to the shape of the tensor it flows to
        /// (what the backward of <c>expand</c> does); returns <paramref name="gradient"/> itself when nothing was broadcast.
        /// The caller passes the gradient's shape, known on the host, to save a native call.
        /// </summary>
        public static Tensor SumTo(Tensor gradient, long[] gradientShape, long[] shape)
        {
            if (Same(gradientShape, shape))
                return gradient;
            int leading = gradientShape.Length - shape.Length;
            var dimensions = new List<long>();
            for (int i = 0; i < gradientShape.Length; i++)
                if (i < leading || (shape[i - leading] == 1 && gradientShape[i] != 1))
                    dimensions.Add(i);
            return gradient.sum(dimensions.ToArray(), keepdim: true).reshape(shape);
        }
    }
}
