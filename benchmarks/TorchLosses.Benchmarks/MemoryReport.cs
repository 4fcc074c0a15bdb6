using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;

namespace TorchLosses.Benchmarks
{
    /// <summary>
    /// The native-memory report (<c>--memory</c>): for each case and implementation, after warm-up,
    /// <list type="bullet">
    /// <item>held: malloc bytes still allocated after forward returned, minus before (what lives until backward: saved
    /// tensors, the output, autograd bookkeeping);</item>
    /// <item>peak: the resident-set high-water mark during forward + backward minus the resident set before;</item>
    /// <item>faults: minor page faults of the thread during forward + backward (fresh pages the kernel had to map).</item>
    /// </list>
    /// Medians over a few repetitions. Sizes below glibc's mmap threshold reuse heap memory, so their peak is mostly 0.
    /// </summary>
    public static class MemoryReport
    {
        private const int Repetitions = 3;

        public static void Run(IEnumerable<LossKind> losses, IEnumerable<Variant> variants, IEnumerable<long> sizes)
        {
            if (!NativeMemory.Available)
            {
                Console.WriteLine("Native memory probes need Linux with glibc >= 2.33 (mallinfo2).");
                return;
            }
            BenchmarkSettings.Apply();
            Console.WriteLine($"threads = {torch.get_num_threads()}; MiB = 2^20 bytes; held/peak in MiB, faults per forward+backward; input = N·4 bytes");
            Console.WriteLine();
            Console.WriteLine("| Loss | Variant | N | input MiB | method | held MiB | held / input | peak MiB | minor faults |");
            Console.WriteLine("|---|---|---:|---:|---|---:|---:|---:|---:|");
            foreach (var loss in losses)
                foreach (var variant in variants)
                    foreach (var size in sizes)
                    {
                        using var lossCase = new LossCase(loss, variant, size);
                        foreach (var method in Enum.GetValues<Method>())
                        {
                            for (int i = 0; i < 2; i++)
                                lossCase.Run(method);
                            var held = new List<long>();
                            var peak = new List<long>();
                            var faults = new List<long>();
                            for (int i = 0; i < Repetitions; i++)
                            {
                                GC.Collect();
                                GC.WaitForPendingFinalizers();
                                var (h, p, f) = Measure(lossCase, method);
                                held.Add(h);
                                peak.Add(p);
                                faults.Add(f);
                            }
                            double inputMiB = size * 4.0 / (1 << 20);
                            double heldMiB = Median(held) / (double)(1 << 20);
                            Console.WriteLine(
                                $"| {loss} | {variant} | {size:N0} | {inputMiB:0.###} | {method} | {heldMiB:0.###} | {heldMiB / inputMiB:0.00} | " +
                                $"{Median(peak) / (double)(1 << 20):0.###} | {Median(faults):N0} |");
                        }
                    }
        }

        private static (long Held, long Peak, long Faults) Measure(LossCase lossCase, Method method)
        {
            NativeMemory.ResetPeakResident();
            long residentBefore = NativeMemory.Resident();
            long faultsBefore = NativeMemory.MinorFaults();
            long held;
            using (var scope = torch.NewDisposeScope())
            {
                long before = NativeMemory.MallocBytes();
                var loss = lossCase.Forward(method);
                held = NativeMemory.MallocBytes() - before;
                lossCase.Backward(loss);
            }
            long faults = NativeMemory.MinorFaults() - faultsBefore;
            long peak = NativeMemory.PeakResident() - residentBefore;
            return (held, Math.Max(0, peak), faults);
        }

        private static long Median(List<long> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted[sorted.Count / 2];
        }
    }
}
