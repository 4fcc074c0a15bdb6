using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// BannedSymbols.txt (repository root, read by Microsoft.CodeAnalysis.BannedApiAnalyzers as error RS0030 in the library,
    /// sample, benchmarks and tools) must name every TorchSharp API that turns a .NET number into a temporary Scalar:
    /// each public implicit conversion to <see cref="Scalar"/>, and each <see cref="Tensor"/> operator that takes a number
    /// (<c>x * 2.0</c>, <c>1 - x</c>, ...). The list is found by reflection over the TorchSharp assembly the tests load, so
    /// a TorchSharp upgrade that adds such an overload fails here. The analyzer ignores an ID that resolves to nothing, so
    /// every ID in the file must also be an existing member: a typo would otherwise silently ban nothing.
    /// </summary>
    public class BannedScalarConversionTests
    {
        private static readonly string BannedSymbolsPath = Path.Combine(AppContext.BaseDirectory, "BannedSymbols.txt");

        /// <summary>Declaration IDs (the text before the first ';') of the file's entries, with their messages.</summary>
        private static Dictionary<string, string> Entries()
        {
            var entries = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var raw in File.ReadAllLines(BannedSymbolsPath))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#')) continue;
                var semicolon = line.IndexOf(';');
                var id = semicolon < 0 ? line : line[..semicolon].Trim();
                var message = semicolon < 0 ? "" : line[(semicolon + 1)..].Trim();
                Assert.True(entries.TryAdd(id, message), $"duplicate entry {id}");
            }
            return entries;
        }

        /// <summary>The documentation-comment ID of a type, as the C# compiler writes it (nested types with '.', generics in braces).</summary>
        private static string TypeId(Type type)
        {
            if (type.IsArray) return TypeId(type.GetElementType()!) + "[]";
            var name = type.IsNested ? TypeId(type.DeclaringType!) + "." + type.Name : type.Namespace + "." + type.Name;
            if (!type.IsGenericType) return name;
            var tick = name.IndexOf('`');
            return name[..tick] + "{" + string.Join(",", type.GetGenericArguments().Select(TypeId)) + "}";
        }

        /// <summary>The documentation-comment ID of a method; conversion operators carry their return type after '~'.</summary>
        private static string MethodId(MethodInfo method)
        {
            var id = $"M:{TypeId(method.DeclaringType!)}.{method.Name}({string.Join(",", method.GetParameters().Select(p => TypeId(p.ParameterType)))})";
            return method.Name is "op_Implicit" or "op_Explicit" ? id + "~" + TypeId(method.ReturnType) : id;
        }

        private static IEnumerable<MethodInfo> Operators(Type type) =>
            type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m.IsSpecialName && m.Name.StartsWith("op_", StringComparison.Ordinal));

        /// <summary>
        /// What must be banned: every implicit conversion to Scalar (from a number, bool, Half, BFloat16, Complex or a
        /// (float, float) pair), and every Tensor operator with a parameter that is neither a Tensor nor a Scalar. The
        /// Tensor's own conversions (<c>Tensor t = 2.0</c>, <c>(double)t</c>) make a tensor or read one, no Scalar, and
        /// are not part of the rule.
        /// </summary>
        private static SortedSet<string> MustBeBanned()
        {
            var ids = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var m in Operators(typeof(Scalar)).Where(m => m.Name == "op_Implicit" && m.ReturnType == typeof(Scalar)))
                ids.Add(MethodId(m));
            foreach (var m in Operators(typeof(Tensor)).Where(m => m.Name is not ("op_Implicit" or "op_Explicit")))
                if (m.GetParameters().Any(p => p.ParameterType != typeof(Tensor) && p.ParameterType != typeof(Scalar)))
                    ids.Add(MethodId(m));
            return ids;
        }

        [Fact]
        public void Every_number_to_Scalar_conversion_and_number_taking_Tensor_operator_is_banned()
        {
            var mustBeBanned = MustBeBanned();
            // The reflection finds what it should (so an empty result cannot pass): TorchSharp 0.107 has 12 implicit
            // conversions to Scalar and 36 Tensor operators taking int, long, float or double.
            Assert.Contains("M:TorchSharp.Scalar.op_Implicit(System.Double)~TorchSharp.Scalar", mustBeBanned);
            Assert.Contains("M:TorchSharp.torch.Tensor.op_Multiply(System.Double,TorchSharp.torch.Tensor)", mustBeBanned);
            Assert.True(mustBeBanned.Count >= 48, $"only {mustBeBanned.Count} symbols found by reflection");

            var entries = Entries();
            var missing = mustBeBanned.Where(id => !entries.ContainsKey(id)).ToList();
            Assert.True(missing.Count == 0, "BannedSymbols.txt lacks:\n" + string.Join("\n", missing));
        }

        [Fact]
        public void Every_entry_names_an_existing_TorchSharp_member_and_says_how_to_fix_the_call()
        {
            var existing = new HashSet<string>(
                Operators(typeof(Scalar)).Concat(Operators(typeof(Tensor))).Select(MethodId), StringComparer.Ordinal);
            var entries = Entries();
            Assert.NotEmpty(entries);
            var unknown = entries.Keys.Where(id => !existing.Contains(id)).ToList();
            Assert.True(unknown.Count == 0, "BannedSymbols.txt entries that match no TorchSharp member (the analyzer would ignore them):\n" + string.Join("\n", unknown));
            var silent = entries.Where(e => !e.Value.Contains("ToScalar()", StringComparison.Ordinal)).Select(e => e.Key).ToList();
            Assert.True(silent.Count == 0, "entries whose message does not show the fix:\n" + string.Join("\n", silent));
        }
    }
}
