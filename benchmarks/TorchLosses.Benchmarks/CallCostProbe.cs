using System;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Benchmarks
{
    /// <summary>
    /// <c>--calls</c>: what bounds the small sizes and the largest one — the cost of single TorchSharp calls (managed/native
    /// crossing plus libtorch dispatch), of the pieces of a forward+backward at 2,048 elements, and of one fresh
    /// allocation of N float32 elements that is then written (page faults), versus writing an already-touched tensor.
    /// </summary>
    public static class CallCostProbe
    {
        public static void Run()
        {
            BenchmarkSettings.Apply();
            using var small = torch.randn(512, 4);
            using var other = torch.randn(512, 4);
            using var zeroD = torch.tensor(1.0f);
            using var half = 0.5.ToScalar();
            using var one = 1.0.ToScalar();
            using var minusOne = (-1.0).ToScalar();
            Console.WriteLine($"threads = {torch.get_num_threads()}; thread CPU time, median of 15 blocks, ns per call");
            Console.WriteLine();
            Console.WriteLine("| call | ns |");
            Console.WriteLine("|---|---:|");
            Row("tensor.requires_grad (property)", () => _ = small.requires_grad);
            Row("tensor.shape (native call + long[])", () => _ = small.shape);
            Row("tensor.dtype", () => _ = small.dtype);
            Row("torch.is_grad_enabled()", () => _ = torch.is_grad_enabled());
            Row("0.5.ToScalar() + Dispose", () => { using var s = 0.5.ToScalar(); });
            Row("NewDisposeScope + Dispose (empty)", () => { using var s = torch.NewDisposeScope(); });
            Row("0-d mul by Scalar + Dispose", () => { using var r = zeroD.mul(half); });
            Row("2,048-element sub + Dispose", () => { using var r = small.sub(other); });
            Row("2,048-element add_ in place", () => small.add_(other, half));
            Row("2,048-element mean + Dispose", () => { using var r = small.mean(); });
            Row("2,048-element sum + Dispose", () => { using var r = small.sum(); });
            Row("2,048-element sum().div_(Scalar) + Dispose", () => { using var r = small.sum(); r.div_(half); });
            Row("2,048-element clamp(Scalar, Scalar) + Dispose", () => { using var r = small.clamp(minusOne, one); });
            Row("2,048-element mul_(Scalar) in place", () => small.mul_(one));
            Row("2,048-element mul(0-d tensor) + Dispose", () => { using var r = small.mul(zeroD); });
            Row("0-d mul_(Scalar) in place", () => zeroD.mul_(one));
            Row("tensor.bytes (span of CPU memory)", () => _ = small.bytes.Length);
            Row("0-d item<float>()", () => _ = zeroD.item<float>());
            Row("torch.get_num_threads()", () => _ = torch.get_num_threads());
            Row("empty_like 2,048 + Dispose", () => { using var r = torch.empty_like(small); });
            Row("numel()", () => _ = small.numel());
            Row("dim()", () => _ = small.dim());
            Row("is_contiguous()", () => _ = small.is_contiguous());
            Row("is_floating_point()", () => _ = small.is_floating_point());
            Row("device_type", () => _ = small.device_type);
            Row("is_leaf", () => _ = small.is_leaf);
            Row("view_as + Dispose", () => { using var r = small.view_as(small); });
            using var leaf = torch.randn(512, 4).requires_grad_(true);
            Console.WriteLine();
            Console.WriteLine("| 2,048 elements, float32 | ns |");
            Console.WriteLine("|---|---:|");
            Row("fused huber_loss forward, no grad", () => { using var r = nn.functional.huber_loss(small, other); });
            Row("ours huber_loss forward, no grad", () => { using var r = functional.huber_loss(small, other); });
            Row("fused huber_loss forward, input requires grad", () => { using var s = torch.NewDisposeScope(); nn.functional.huber_loss(leaf, other); });
            Row("ours huber_loss forward, input requires grad", () => { using var s = torch.NewDisposeScope(); functional.huber_loss(leaf, other); });
            Row("fused forward + autograd.grad", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad(new[] { nn.functional.huber_loss(leaf, other) }, new[] { leaf }); });
            Row("ours forward + autograd.grad", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad(new[] { functional.huber_loss(leaf, other) }, new[] { leaf }); });
            Row("plain sum forward + autograd.grad", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad(new[] { leaf.sum() }, new[] { leaf }); });
            Row("custom Function (sum) forward only", () => { using var s = torch.NewDisposeScope(); SumFunction.apply(leaf); });
            Row("custom Function (sum) forward + autograd.grad", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad(new[] { SumFunction.apply(leaf) }, new[] { leaf }); });
            Console.WriteLine();
            Console.WriteLine("| fresh allocation + write (zeros) vs write into a touched tensor | ms |");
            Console.WriteLine("|---|---:|");
            foreach (var n in new[] { 1L << 20, 1L << 24 })
            {
                using var touched = torch.zeros(n);
                Row($"torch.zeros({n:N0}) fresh, then Dispose", () => { using var t = torch.zeros(n); }, milliseconds: true, blocks: 7, calls: 3);
                Row($"touched.zero_() ({n:N0}, memory already mapped)", () => touched.zero_(), milliseconds: true, blocks: 7, calls: 3);
            }
        }

        private static void Row(string name, Action action, bool milliseconds = false, int blocks = 15, int calls = 5_000)
        {
            for (int i = 0; i < Math.Min(calls, 1000); i++)
                action();
            var times = new double[blocks];
            for (int b = 0; b < blocks; b++)
            {
                var cpu = NativeMemory.ThreadCpuSeconds();
                for (int i = 0; i < calls; i++)
                    action();
                times[b] = (NativeMemory.ThreadCpuSeconds() - cpu) * 1e3 / calls;
            }
            Array.Sort(times);
            var median = times[blocks / 2];
            Console.WriteLine(milliseconds ? $"| {name} | {median:0.00} |" : $"| {name} | {median * 1e6:0} |");
        }
    }
}
