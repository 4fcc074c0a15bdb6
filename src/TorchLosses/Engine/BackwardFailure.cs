using System;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Engine
{
    /// <summary>
    /// What a custom backward does when it fails (libtorch refused to unpack a saved tensor because it was modified in place
    /// after forward, as libtorch's own kernels refuse; or anything else, out of memory included). TorchSharp runs backward
    /// as a native callback, where a managed exception ends the process, and gives it no way to raise an error. So backward
    /// reports the cause through <see cref="LossWarnings"/> and returns, for each tensor, an invalid gradient: a 0-d complex
    /// tensor, which libtorch's engine rejects (wrong shape for any tensor that is not 0-d, a complex gradient for a real tensor
    /// otherwise), stopping backward with an error that reaches the caller of <c>backward()</c> as a managed exception.
    /// </summary>
    internal static class BackwardFailure
    {
        /// <summary>What a pointwise loss's message says when a saved tensor was modified in place.</summary>
        public const string PointwiseInPlace =
            "The input, target or weight of the loss was modified in place after the loss was computed; clone it before modifying it.";

        /// <summary>Raises the cause of a failed backward of <paramref name="loss"/> through <see cref="LossWarnings"/>; never throws.</summary>
        /// <param name="loss">The loss's name, for the message.</param>
        /// <param name="error">What backward threw.</param>
        /// <param name="inPlaceAdvice">What the message adds when libtorch refused a saved tensor modified in place.</param>
        public static void Report(string loss, Exception error, string inPlaceAdvice = PointwiseInPlace)
        {
            try
            {
                var cause = error.Message.Split('\n')[0];
                LossWarnings.Raise(cause.Contains("modified by an inplace operation")
                    ? $"TorchLosses could not compute the gradient of {loss}: {cause} {inPlaceAdvice}"
                    : $"TorchLosses could not compute the gradient of {loss}: {error.GetType().Name}: {cause}");
            }
            catch
            {
                // A warning subscriber that throws must not end the process either.
            }
        }

        /// <summary>A gradient libtorch's engine rejects, or null (undefined, which keeps the process alive) if not even that can be made; never throws. The caller moves it out of its dispose scope.</summary>
        public static Tensor? InvalidGradient()
        {
            try
            {
                return torch.zeros(Array.Empty<long>(), ScalarType.ComplexFloat32);
            }
            catch
            {
                return null;
            }
        }
    }
}
