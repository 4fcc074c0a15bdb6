using System;
using System.IO;
using System.Runtime.InteropServices;

namespace TorchLosses.Benchmarks
{
    /// <summary>
    /// Native-memory probes for Linux/glibc, which BenchmarkDotNet's managed MemoryDiagnoser cannot see:
    /// bytes currently allocated through malloc (libtorch's CPU allocator is posix_memalign), the resident-set high-water
    /// mark (reset through /proc/self/clear_refs), and minor page faults of the calling thread.
    /// </summary>
    public static class NativeMemory
    {
        [StructLayout(LayoutKind.Sequential)]
        private struct MallInfo2
        {
            public nuint Arena, OrdBlks, SmBlks, HBlks, HBlkHd, UsmBlks, FsmBlks, UordBlks, FordBlks, KeepCost;
        }

        [DllImport("libc", EntryPoint = "mallinfo2")]
        private static extern MallInfo2 mallinfo2();

        [DllImport("libc", EntryPoint = "getrusage")]
        private static extern int getrusage(int who, [Out] long[] usage);

        private const int RusageThread = 1;

        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds, Nanoseconds;
        }

        [DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int clock_gettime(int clock, out TimeSpec time);

        private const int ClockThreadCpuTime = 3;

        /// <summary>CPU time consumed by the calling thread, in seconds (time spent descheduled by other processes is not counted).</summary>
        public static double ThreadCpuSeconds()
        {
            clock_gettime(ClockThreadCpuTime, out var time);
            return time.Seconds + time.Nanoseconds * 1e-9;
        }

        /// <summary>Whether the probes work here (Linux with glibc ≥ 2.33).</summary>
        public static bool Available
        {
            get
            {
                try { _ = mallinfo2(); return File.Exists("/proc/self/status"); }
                catch (Exception) { return false; }
            }
        }

        /// <summary>Bytes currently handed out by malloc: in-use heap chunks of every arena plus mmapped chunks.</summary>
        public static long MallocBytes()
        {
            var info = mallinfo2();
            return (long)(info.UordBlks + info.HBlkHd);
        }

        /// <summary>Minor page faults of the calling thread so far.</summary>
        public static long MinorFaults()
        {
            // struct rusage: two timevals (4 longs), then maxrss, ixrss, idrss, isrss, minflt, ...
            var usage = new long[18];
            if (getrusage(RusageThread, usage) != 0)
                return -1;
            return usage[8];
        }

        /// <summary>Resets the peak resident set size (VmHWM) to the current one (Linux ≥ 4.0).</summary>
        public static void ResetPeakResident() => File.WriteAllText("/proc/self/clear_refs", "5");

        /// <summary>Current resident set size in bytes.</summary>
        public static long Resident() => StatusBytes("VmRSS:");

        /// <summary>Peak resident set size in bytes since the last reset.</summary>
        public static long PeakResident() => StatusBytes("VmHWM:");

        private static long StatusBytes(string key)
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(key.Length).Trim().ToString().Split(' ')[0]) * 1024;
            return -1;
        }
    }
}
