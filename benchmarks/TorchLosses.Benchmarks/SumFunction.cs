using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Benchmarks
{
    /// <summary>The cheapest possible custom autograd function (sum forward, expand backward): the fixed cost of TorchSharp's Function machinery.</summary>
    internal sealed class SumFunction : torch.autograd.SingleTensorFunction<SumFunction>
    {
        public override string Name => nameof(SumFunction);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars) => ((Tensor)vars[0]).sum();

        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output) =>
            new List<Tensor> { grad_output.expand(512, 4) };
    }
}
