using System;
using System.Runtime;

namespace BoxRegression
{
    /// <summary>
    /// Runs a call with the garbage collector held off, for TorchVision's <c>nms</c>: it makes implicit Scalars internally
    /// (the GC hole this repository documents), and a collection during the call could free one still in use.
    /// </summary>
    internal static class NoGarbageCollection
    {
        private const long Budget = 16 * 1024 * 1024;

        public static T Run<T>(Func<T> call)
        {
            bool started = GC.TryStartNoGCRegion(Budget);
            try
            {
                return call();
            }
            finally
            {
                if (started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
            }
        }
    }
}
