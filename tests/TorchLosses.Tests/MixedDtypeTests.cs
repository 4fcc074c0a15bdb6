using System.Collections.Generic;
using System.Linq;
using TorchLosses.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// Input and target of different dtypes, as TorchSharp's own losses accept them (float32 Q-values against C#'s float64
    /// <c>tensor(double[])</c>, integer or bool targets): the result has libtorch's dtype (input's for huber_loss, the common
    /// one for smooth_l1_loss) and libtorch's values; the gradients are libtorch's on the same computation with the promotion
    /// written out (libtorch's own huber_loss cannot backpropagate mixed dtypes: "Found dtype Double but expected Float"),
    /// and each comes back in its own tensor's dtype.
    /// </summary>
    public class MixedDtypeTests(ITestOutputHelper output)
    {
        public static IEnumerable<object[]> Cases() =>
            from pair in new (ScalarType Input, ScalarType Target)[]
            {
                (ScalarType.Float32, ScalarType.Float64), (ScalarType.Float64, ScalarType.Float32), (ScalarType.Float16, ScalarType.Float32),
                (ScalarType.BFloat16, ScalarType.Float32), (ScalarType.Float32, ScalarType.Float16), (ScalarType.Float32, ScalarType.Int64),
                (ScalarType.Float32, ScalarType.Int32), (ScalarType.Float32, ScalarType.Bool), (ScalarType.Float64, ScalarType.Int64),
                (ScalarType.Float16, ScalarType.Int64), (ScalarType.Int64, ScalarType.Float32),
            }
            from kind in new[] { LossKind.Huber, LossKind.SmoothL1 }
            where !(kind == LossKind.Huber && pair.Input == ScalarType.Int64) // libtorch refuses it; so do we (ArgumentValidationTests)
            from reduction in ParityTests.Reductions
            select new object[] { kind, pair.Input, pair.Target, reduction };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Result_dtype_values_and_gradients_are_libtorchs(LossKind kind, ScalarType inputDtype, ScalarType targetDtype, nn.Reduction reduction)
        {
            using var scope = NewDisposeScope();
            var shape = new long[] { 64, 4 };
            var input = Inputs.Uniform(shape, ScalarType.Float64, 2.0, 1).to(inputDtype);
            var target = Inputs.Uniform(shape, ScalarType.Float64, 1.0, 2).round().to(targetDtype);
            var common = result_type(input, target);
            var resultDtype = kind == LossKind.Huber ? inputDtype : common;
            const double threshold = 1.0;

            // libtorch's value (its forward accepts every pair here) and our result.
            var libtorch = Losses.Libtorch(kind, input, target, threshold, reduction);
            Assert.Equal(resultDtype, libtorch.dtype);
            var leaves = new List<Tensor> { };
            bool floatInput = input.is_floating_point(), floatTarget = target.is_floating_point();
            Tensor Ours(Tensor i, Tensor t) => Losses.Ours(kind, i, t, threshold, reduction);
            // The same computation with the promotion written out, through libtorch's kernels: its value is libtorch's, and
            // its gradients are the reference.
            Tensor Reference(Tensor i, Tensor t)
            {
                var elementwise = Losses.Libtorch(kind, i.to(common), t.to(common), threshold, nn.Reduction.None).to(resultDtype);
                return reduction == nn.Reduction.None ? elementwise : reduction == nn.Reduction.Sum ? elementwise.sum() : elementwise.mean();
            }
            Assert.True(Difference.Between(Reference(input, target), libtorch).Bitwise, "the written-out reference is libtorch's value");

            var differentiable = new List<Tensor>();
            if (floatInput) differentiable.Add(input);
            if (floatTarget) differentiable.Add(target);
            Tensor Arguments(System.Func<Tensor, Tensor, Tensor> f, Tensor[] l)
            {
                int k = 0;
                var i = floatInput ? l[k++] : input;
                var t = floatTarget ? l[k] : target;
                return f(i, t);
            }
            var upstream = reduction == nn.Reduction.None ? Inputs.Uniform(shape, ScalarType.Float64, 1.0, 3).to(resultDtype) : null;
            var ours = Gradients.Of(l => Arguments(Ours, l), differentiable.ToArray(), upstream);
            var reference = Gradients.Of(l => Arguments(Reference, l), differentiable.ToArray(), upstream);

            var value = Difference.Between(ours.Value, libtorch);
            output.WriteLine($"value {value}");
            Assert.True(value.MaxUlps <= ParityBounds.AllowedUlps(kind, threshold, resultDtype, false, ParityQuantity.Value), $"value: {value}");
            for (int k = 0; k < differentiable.Count; k++)
            {
                var gradient = Difference.Between(ours.OfLeaves[k], reference.OfLeaves[k]);
                output.WriteLine($"gradient {k} {gradient}");
                Assert.Equal(differentiable[k].dtype, ours.OfLeaves[k].dtype);
                Assert.True(gradient.MaxUlps <= ParityBounds.AllowedUlps(kind, threshold, common, false, ParityQuantity.Gradient)
                    + (common != resultDtype || common != differentiable[k].dtype ? 1 : 0), $"gradient of leaf {k}: {gradient}");
            }
        }
    }
}
