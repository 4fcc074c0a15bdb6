using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests.Support
{
    /// <summary>Reads tensors to the host as doubles: exact for Float16, BFloat16, Float32 and Float64.</summary>
    internal static class HostValues
    {
        public static double[] Of(Tensor tensor)
        {
            if (tensor.numel() == 0)
                return System.Array.Empty<double>();
            using var scope = NewDisposeScope();
            return tensor.detach().cpu().to(ScalarType.Float64).contiguous().data<double>().ToArray();
        }

        public static double Scalar(Tensor tensor) => Of(tensor).Single();
    }
}
