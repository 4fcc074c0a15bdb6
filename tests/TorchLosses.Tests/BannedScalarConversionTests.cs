using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLosses.Tests
{
    /// <summary>
    /// BannedSymbols.txt (repository root, read by Microsoft.CodeAnalysis.BannedApiAnalyzers as error RS0030 in the library,
    /// sample, benchmarks and tools) must name every TorchSharp API that turns a .NET number into a temporary Scalar that
    /// nothing keeps alive: each public implicit conversion to <see cref="Scalar"/>, each <see cref="Tensor"/> operator that
    /// takes a number (<c>x * 2.0</c>, <c>1 - x</c>, ...), and each public TorchSharp member that makes such a Scalar inside
    /// itself (<c>x.add(y)</c> and so <c>x + y</c>, <c>x.square()</c>, <c>optim.Adam</c>, ...). The conversions and operators
    /// are found by reflection, the members that convert inside by scanning TorchSharp's IL, both over the TorchSharp
    /// assembly the tests load, so a TorchSharp upgrade that adds one fails here. The analyzer ignores an ID that resolves
    /// to nothing, so every ID in the file must also be an existing member: a typo would otherwise silently ban nothing.
    /// </summary>
    public class BannedScalarConversionTests
    {
        private static readonly string BannedSymbolsPath = Path.Combine(AppContext.BaseDirectory, "BannedSymbols.txt");

        /// <summary>
        /// Public members the IL scan reports that the file leaves out on purpose. TorchScript modules convert float, double
        /// and long arguments to temporary Scalars, but only those: banning them would ban TorchScript; pass Scalars you keep
        /// alive instead (docs/troubleshooting.md). metastr() reaches the value printer only through a style it never passes.
        /// </summary>
        private static bool LeftOutOnPurpose(string id) =>
            id.StartsWith("M:TorchSharp.torch.jit.", StringComparison.Ordinal) ||
            id == "M:TorchSharp.TensorExtensionMethods.metastr(TorchSharp.torch.Tensor)";

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
            if (type.IsGenericParameter) return (type.DeclaringMethod is null ? "`" : "``") + type.GenericParameterPosition;
            if (type.IsByRef) return TypeId(type.GetElementType()!) + "@";
            if (type.IsPointer) return TypeId(type.GetElementType()!) + "*";
            if (type.IsArray)
                return TypeId(type.GetElementType()!) + (type.IsSZArray ? "[]" : "[" + string.Join(",", Enumerable.Repeat("0:", type.GetArrayRank())) + "]");
            var name = type.IsNested ? TypeId(type.DeclaringType!) + "." + type.Name : type.Namespace + "." + type.Name;
            if (!type.IsGenericType || type.IsGenericTypeDefinition) return name;
            var tick = name.LastIndexOf('`');
            return name[..tick] + "{" + string.Join(",", type.GetGenericArguments().Select(TypeId)) + "}";
        }

        /// <summary>
        /// The documentation-comment ID of a method or constructor: no parentheses without parameters, <c>#ctor</c> for a
        /// constructor, <c>``n</c> after a generic method's name, and the return type after '~' for a conversion operator.
        /// </summary>
        private static string MethodId(MethodBase method)
        {
            var name = method is ConstructorInfo ? (method.IsStatic ? "#cctor" : "#ctor") : method.Name;
            if (method is MethodInfo { IsGenericMethod: true } generic) name += "``" + generic.GetGenericArguments().Length;
            var parameters = method.GetParameters();
            var id = $"M:{TypeId(method.DeclaringType!)}.{name}" +
                     (parameters.Length == 0 ? "" : $"({string.Join(",", parameters.Select(p => TypeId(p.ParameterType)))})");
            return method.Name is "op_Implicit" or "op_Explicit" ? id + "~" + TypeId(((MethodInfo)method).ReturnType) : id;
        }

        private static IEnumerable<MethodInfo> Operators(Type type) =>
            type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m.IsSpecialName && m.Name.StartsWith("op_", StringComparison.Ordinal));

        private static Type[] TorchSharpTypes()
        {
            try { return typeof(Tensor).Assembly.GetTypes(); }
            catch (ReflectionTypeLoadException e) { return e.Types.OfType<Type>().ToArray(); }
        }

        private static bool IsPublicApi(MethodBase m) => m.DeclaringType!.IsVisible && (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly);

        /// <summary>A type is banned by an entry for it or for a type enclosing it.</summary>
        private static bool IsBanned(Type type, Dictionary<string, string> entries)
        {
            for (Type? t = type; t is not null; t = t.DeclaringType)
                if (entries.ContainsKey("T:" + TypeId(t))) return true;
            return false;
        }

        /// <summary>A member is banned by an entry for it, or for its declaring type or a type enclosing that.</summary>
        private static bool IsBanned(MethodBase m, Dictionary<string, string> entries) =>
            entries.ContainsKey(MethodId(m)) || IsBanned(m.DeclaringType!, entries);

        /// <summary>
        /// What must be banned: every implicit conversion to Scalar (from a number, bool, Half, BFloat16, Complex or a
        /// (float, float) pair), and every Tensor operator with a parameter that is neither a Tensor nor a Scalar. The
        /// Tensor's own conversions (<c>Tensor t = 2.0</c>, <c>(double)t</c>) make a tensor or read one, and are checked by
        /// the IL scan instead (reading one goes through a temporary Scalar).
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
            var existing = new HashSet<string>(StringComparer.Ordinal);
            foreach (var type in TorchSharpTypes().Where(t => t.IsVisible))
            {
                existing.Add("T:" + TypeId(type));
                const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
                foreach (var m in type.GetMethods(declared).Cast<MethodBase>().Concat(type.GetConstructors(declared)).Where(IsPublicApi))
                    existing.Add(MethodId(m));
            }
            var entries = Entries();
            Assert.NotEmpty(entries);
            var unknown = entries.Keys.Where(id => !existing.Contains(id)).ToList();
            Assert.True(unknown.Count == 0, "BannedSymbols.txt entries that match no TorchSharp member (the analyzer would ignore them):\n" + string.Join("\n", unknown));
            var silent = entries.Where(e => !e.Value.Contains("ToScalar()", StringComparison.Ordinal)).Select(e => e.Key).ToList();
            Assert.True(silent.Count == 0, "entries whose message does not show the fix:\n" + string.Join("\n", silent));
        }

        /// <summary>
        /// Members known, from TorchSharp's source, to make a Scalar themselves; each must be banned whatever the IL scan
        /// finds (so a fault in the scan cannot drop them).
        /// </summary>
        [Theory]
        [InlineData("M:TorchSharp.torch.Tensor.add(TorchSharp.torch.Tensor)")]                       // add(target, 1)
        [InlineData("M:TorchSharp.torch.Tensor.add_(TorchSharp.torch.Tensor)")]
        [InlineData("M:TorchSharp.torch.Tensor.add(TorchSharp.Scalar)")]
        [InlineData("M:TorchSharp.torch.Tensor.add_(TorchSharp.Scalar)")]
        [InlineData("M:TorchSharp.torch.Tensor.op_Addition(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)")] // left.add(right)
        [InlineData("M:TorchSharp.torch.Tensor.op_Addition(TorchSharp.torch.Tensor,TorchSharp.Scalar)")]
        [InlineData("M:TorchSharp.torch.Tensor.addcdiv(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)")]     // value 1
        [InlineData("M:TorchSharp.torch.Tensor.square")]                                                      // pow(2)
        [InlineData("M:TorchSharp.torch.Tensor.celu")]                                                        // celu(1.0)
        [InlineData("M:TorchSharp.torch.arange(TorchSharp.Scalar,TorchSharp.Scalar,System.Nullable{TorchSharp.torch.ScalarType},TorchSharp.torch.Device,System.Boolean)")] // step 1
        [InlineData("M:TorchSharp.torch.nn.functional.leaky_relu(TorchSharp.torch.Tensor,System.Double,System.Boolean)")]
        [InlineData("M:TorchSharp.TensorExtensionMethods.ToDouble(TorchSharp.torch.Tensor)")]                 // ToScalar().ToDouble()
        [InlineData("M:TorchSharp.torch.optim.Adam(System.Collections.Generic.IEnumerable{TorchSharp.Modules.Parameter},System.Double,System.Double,System.Double,System.Double,System.Double,System.Boolean,System.Boolean)")]
        public void A_member_known_to_make_a_Scalar_inside_TorchSharp_is_banned(string id)
        {
            Assert.True(Entries().ContainsKey(id), $"BannedSymbols.txt lacks {id}");
        }

        [Fact]
        public void The_IL_scan_tells_a_temporary_Scalar_from_one_that_is_kept_alive()
        {
            var found = TemporaryScalarScan.Find().Keys.Select(MethodId).ToHashSet(StringComparer.Ordinal);
            // Made inside and dropped: found (directly, or through the call, the operator or the optimizer's step).
            Assert.Contains("M:TorchSharp.torch.Tensor.add(TorchSharp.torch.Tensor)", found);
            Assert.Contains("M:TorchSharp.torch.Tensor.op_Addition(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)", found);
            Assert.Contains("M:TorchSharp.torch.Tensor.square", found);
            Assert.Contains("M:TorchSharp.TensorExtensionMethods.ToDouble(TorchSharp.torch.Tensor)", found);
            Assert.Contains("M:TorchSharp.torch.optim.Adam(System.Collections.Generic.IEnumerable{TorchSharp.Modules.Parameter},System.Double,System.Double,System.Double,System.Double,System.Double,System.Boolean,System.Boolean)", found);
            // Taken from the caller, disposed by TorchSharp (softshrink: using var sc = (Scalar)lambda), or handed back: not found.
            Assert.DoesNotContain("M:TorchSharp.torch.Tensor.add(TorchSharp.torch.Tensor,TorchSharp.Scalar)", found);
            Assert.DoesNotContain("M:TorchSharp.torch.Tensor.sub(TorchSharp.torch.Tensor)", found);
            Assert.DoesNotContain("M:TorchSharp.torch.nn.functional.softshrink(TorchSharp.torch.Tensor,System.Double)", found);
            Assert.DoesNotContain("M:TorchSharp.torch.Tensor.ToScalar", found);
            Assert.DoesNotContain("M:TorchSharp.torch.arange(TorchSharp.Scalar,TorchSharp.Scalar,TorchSharp.Scalar,System.Nullable{TorchSharp.torch.ScalarType},TorchSharp.torch.Device,System.Boolean)", found);
        }

        /// <summary>
        /// Every public entry point of TorchSharp that makes a temporary Scalar, itself or through what it calls, is banned:
        /// static methods and operators (the torch.* functions, the optimizer and module factories, extension methods),
        /// public constructors, and the Tensor's instance methods. A module's forward or an optimizer's step is reached
        /// through the factory that creates it, and every probability distribution type is banned as a whole.
        /// </summary>
        [Fact]
        public void Every_public_TorchSharp_member_that_makes_a_temporary_Scalar_is_banned()
        {
            var entries = Entries();
            var entryPoints = TemporaryScalarScan.Find()
                .Where(kv => IsPublicApi(kv.Key) && (kv.Key.IsStatic || kv.Key is ConstructorInfo || kv.Key.DeclaringType == typeof(Tensor)))
                .ToList();
            Assert.True(entryPoints.Count >= 150, $"the IL scan found only {entryPoints.Count} public entry points");

            var missing = entryPoints
                .Where(kv => !IsBanned(kv.Key, entries) && !LeftOutOnPurpose(MethodId(kv.Key)))
                .Select(kv => $"{MethodId(kv.Key)}   ({kv.Value})")
                .OrderBy(s => s, StringComparer.Ordinal)
                .ToList();
            Assert.True(missing.Count == 0, "BannedSymbols.txt lacks (public members that make a temporary Scalar):\n" + string.Join("\n", missing));

            var distributionTypes = TorchSharpTypes()
                .Where(t => t.IsVisible && typeof(distributions.Distribution).IsAssignableFrom(t) && !IsBanned(t, entries))
                .Select(TypeId)
                .ToList();
            Assert.True(distributionTypes.Count == 0, "BannedSymbols.txt lacks the distribution types:\n" + string.Join("\n", distributionTypes));
        }

        /// <summary>
        /// Finds, in TorchSharp's IL, the methods that make a temporary Scalar: a call to an implicit conversion to Scalar,
        /// <c>ToScalar()</c> (of a number or a tensor) or Scalar's constructor whose result is neither returned, stored in a
        /// field, nor kept in a local that is later disposed or passed to GC.KeepAlive; nothing then keeps the Scalar alive
        /// while libtorch reads it. Then every method that reaches one through calls, delegates (ldftn), or the virtual
        /// methods of an object it creates (a module's forward, an optimizer's step, an iterator's MoveNext).
        /// </summary>
        private static class TemporaryScalarScan
        {
            private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

            private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
                .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

            private readonly record struct Instruction(OpCode OpCode, int Operand);

            private static readonly Lazy<Dictionary<MethodBase, string>> Found = new(Scan);

            /// <summary>The methods (any visibility) that make a temporary Scalar, each with the reason.</summary>
            public static Dictionary<MethodBase, string> Find() => Found.Value;

            private static Dictionary<MethodBase, string> Scan()
            {
                var module = typeof(Tensor).Module;
                var methods = TorchSharpTypes()
                    .SelectMany(t => t.GetMethods(Declared).Cast<MethodBase>().Concat(t.GetConstructors(Declared)))
                    .ToDictionary(m => m.MetadataToken);
                var why = new Dictionary<int, string>();
                var calls = new Dictionary<int, HashSet<int>>();
                foreach (var method in methods.Values)
                {
                    var il = method.GetMethodBody()?.GetILAsByteArray();
                    if (il is null) continue;
                    var code = Decode(il);
                    var typeArguments = method.DeclaringType!.IsGenericType ? method.DeclaringType.GetGenericArguments() : null;
                    var methodArguments = method is MethodInfo { IsGenericMethod: true } g ? g.GetGenericArguments() : null;
                    MethodBase? Resolve(int token)
                    {
                        try { return module.ResolveMethod(token, typeArguments, methodArguments); }
                        catch (ArgumentException) { return null; }
                    }
                    var targets = calls[method.MetadataToken] = new HashSet<int>();
                    for (int k = 0; k < code.Count; k++)
                    {
                        if (code[k].OpCode.OperandType != OperandType.InlineMethod || Resolve(code[k].Operand) is not { } callee) continue;
                        if (callee.Module == module)
                        {
                            targets.Add(callee.MetadataToken);
                            if (code[k].OpCode == OpCodes.Newobj)
                                for (var t = callee.DeclaringType; t is not null && t.Module == module; t = t.BaseType)
                                    foreach (var v in t.GetMethods(Declared).Where(m => m.IsVirtual))
                                        targets.Add(v.MetadataToken);
                        }
                        if (code[k].OpCode == OpCodes.Ldftn || !MakesScalar(callee) || why.ContainsKey(method.MetadataToken)) continue;
                        var next = k + 1 < code.Count ? code[k + 1].OpCode : OpCodes.Nop;
                        if (next == OpCodes.Ret || next == OpCodes.Stfld || next == OpCodes.Stsfld) continue;
                        if (k + 1 < code.Count && Local(code[k + 1], OpCodes.Stloc_0, OpCodes.Stloc_S, OpCodes.Stloc) is int local &&
                            KeptAlive(code, k + 2, local, Resolve)) continue;
                        why[method.MetadataToken] = $"makes a temporary Scalar with {callee.DeclaringType!.Name}.{callee.Name}";
                    }
                }
                for (bool changed = true; changed;)
                {
                    changed = false;
                    foreach (var (caller, targets) in calls)
                    {
                        if (why.ContainsKey(caller)) continue;
                        var reached = targets.FirstOrDefault(why.ContainsKey);   // metadata tokens are never 0
                        if (reached == 0) continue;
                        why[caller] = $"calls {methods[reached].DeclaringType!.Name}.{methods[reached].Name}";
                        changed = true;
                    }
                }
                return why.ToDictionary(kv => methods[kv.Key], kv => kv.Value);
            }

            private static bool MakesScalar(MethodBase callee) =>
                (callee.DeclaringType == typeof(Scalar) && (callee.Name == "op_Implicit" || callee is ConstructorInfo)) ||
                (callee.DeclaringType == typeof(ScalarExtensionMethods) && callee.Name == "ToScalar") ||
                (callee.DeclaringType == typeof(Tensor) && callee.Name == "ToScalar");

            /// <summary>Whether a later <c>ldloc local</c> is returned or immediately disposed or passed to GC.KeepAlive.</summary>
            private static bool KeptAlive(List<Instruction> code, int from, int local, Func<int, MethodBase?> resolve)
            {
                for (int j = from; j + 1 < code.Count; j++)
                {
                    if (Local(code[j], OpCodes.Ldloc_0, OpCodes.Ldloc_S, OpCodes.Ldloc) != local) continue;
                    if (code[j + 1].OpCode == OpCodes.Ret) return true;
                    if (code[j + 1].OpCode.OperandType == OperandType.InlineMethod && resolve(code[j + 1].Operand)?.Name is "Dispose" or "KeepAlive") return true;
                }
                return false;
            }

            /// <summary>The local index of a stloc/ldloc instruction (given its _0, _S and long forms), or null.</summary>
            private static int? Local(Instruction instruction, OpCode zero, OpCode shortForm, OpCode longForm)
            {
                var op = instruction.OpCode;
                if (op == shortForm || op == longForm) return instruction.Operand;
                int index = op.Value - zero.Value;   // _0.._3 are consecutive
                return op.OperandType == OperandType.InlineNone && index is >= 0 and <= 3 ? index : null;
            }

            private static List<Instruction> Decode(byte[] il)
            {
                var code = new List<Instruction>();
                for (int i = 0; i < il.Length;)
                {
                    short value = il[i] == 0xFE ? unchecked((short)(0xFE00 | il[i + 1])) : il[i];
                    i += il[i] == 0xFE ? 2 : 1;
                    var op = OpCodesByValue[value];
                    int operand = 0;
                    switch (op.OperandType)
                    {
                        case OperandType.InlineNone: break;
                        case OperandType.ShortInlineBrTarget: case OperandType.ShortInlineI: case OperandType.ShortInlineVar: operand = il[i]; i += 1; break;
                        case OperandType.InlineVar: operand = BitConverter.ToUInt16(il, i); i += 2; break;
                        case OperandType.InlineI8: case OperandType.InlineR: i += 8; break;
                        case OperandType.InlineSwitch: i += 4 + 4 * BitConverter.ToInt32(il, i); break;
                        default: operand = BitConverter.ToInt32(il, i); i += 4; break;
                    }
                    code.Add(new Instruction(op, operand));
                }
                return code;
            }
        }
    }
}
