using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace TorchLosses.Tests.Support
{
    /// <summary>
    /// Reference values of pseudo-Huber, Barron's general loss, Balanced L1 and log-cosh with their derivatives, computed
    /// at 160 significant digits from the definitions by <c>tools/reference-values/generate.py</c> and stored to 25 digits
    /// in <c>Data/robust-references.json</c>. Every value is for the exact double the input parses to. A null derivative
    /// does not exist at that point (a kink, α = ±∞, or ∂ρ/∂α at α = 2, which diverges logarithmically); values below
    /// the double range parse to 0 or a subnormal.
    /// </summary>
    internal static class RobustReferences
    {
        /// <summary>ρ = δ²(√(1 + (x/δ)²) − 1) and its derivatives in x and δ.</summary>
        internal sealed record PseudoHuber(double X, double Delta, double Value, double DX, double DXX, double DDelta);

        /// <summary>Barron's ρ(x, α, c) (α may be ±∞) and its derivatives; null where one does not exist.</summary>
        internal sealed record General(double X, double Alpha, double Scale, double Value, double DX, double DXX,
            double? DAlpha, double DScale, double? DXAlpha, double DXScale, string? Note);

        /// <summary>mmdetection's balanced L1 of the residual x; null derivatives at kinks.</summary>
        internal sealed record BalancedL1(double X, double Alpha, double Gamma, double Beta, double Value, double? DX,
            double? DXX, string? Note);

        /// <summary>ρ = ln cosh x, ρ′ = tanh x, ρ″ = 1/cosh² x.</summary>
        internal sealed record LogCosh(double X, double Value, double DX, double DXX);

        /// <summary>∂ρ/∂α and ∂²ρ/∂x∂α at x = c = 1 for α = 2 + <see cref="AlphaMinus2"/> (exact decimal offsets).</summary>
        internal sealed record NearTwo(double AlphaMinus2, double DAlpha, double DXAlpha, double Asymptote);

        /// <summary>Everything in the file.</summary>
        internal sealed record Data(
            IReadOnlyList<PseudoHuber> PseudoHuberPoints,
            IReadOnlyList<General> GeneralPoints,
            IReadOnlyList<(double X, double Alpha, double Scale)> GeneralDropped,
            IReadOnlyList<NearTwo> GeneralNearTwo,
            IReadOnlyList<BalancedL1> BalancedL1Points,
            IReadOnlyList<LogCosh> LogCoshPoints,
            IReadOnlyDictionary<string, int> Counts);

        private static readonly Lazy<Data> Loaded = new(Load);

        public static Data All => Loaded.Value;
        public static IReadOnlyList<PseudoHuber> PseudoHuberPoints => All.PseudoHuberPoints;
        public static IReadOnlyList<General> GeneralPoints => All.GeneralPoints;
        public static IReadOnlyList<BalancedL1> BalancedL1Points => All.BalancedL1Points;
        public static IReadOnlyList<LogCosh> LogCoshPoints => All.LogCoshPoints;

        /// <summary>Where the test build copies the file.</summary>
        public static string FilePath => Path.Combine(AppContext.BaseDirectory, "Data", "robust-references.json");

        /// <summary>A stored number: a decimal string, or "inf" / "-inf".</summary>
        public static double Parse(string text) => text switch
        {
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };

        private static Data Load()
        {
            using var document = JsonDocument.Parse(File.ReadAllText(FilePath));
            var root = document.RootElement;

            var pseudoHuber = Rows(root, "pseudo_huber", r => new PseudoHuber(
                Number(r, "x"), Number(r, "delta"), Number(r, "value"), Number(r, "d_x"), Number(r, "d_xx"),
                Number(r, "d_delta")));
            var general = Rows(root, "general", r => new General(
                Number(r, "x"), Number(r, "alpha"), Number(r, "c"), Number(r, "value"), Number(r, "d_x"),
                Number(r, "d_xx"), Optional(r, "d_alpha"), Number(r, "d_c"), Optional(r, "d_x_alpha"),
                Number(r, "d_x_c"), Text(r, "note")));
            var dropped = Rows(root, "general_dropped", r => (Number(r, "x"), Number(r, "alpha"), Number(r, "c")));
            var nearTwo = Rows(root, "general_alpha_near_2", r => new NearTwo(
                Number(r, "alpha_minus_2"), Number(r, "d_alpha"), Number(r, "d_x_alpha"),
                Number(r, "asymptote_z_over_4_times_ln_z_over_eps_minus_2")));
            var balanced = Rows(root, "balanced_l1", r => new BalancedL1(
                Number(r, "x"), Number(r, "alpha"), Number(r, "gamma"), Number(r, "beta"), Number(r, "value"),
                Optional(r, "d_x"), Optional(r, "d_xx"), Text(r, "note")));
            var logCosh = Rows(root, "log_cosh", r => new LogCosh(
                Number(r, "x"), Number(r, "value"), Number(r, "d_x"), Number(r, "d_xx")));
            var counts = root.GetProperty("counts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
            return new Data(pseudoHuber, general, dropped, nearTwo, balanced, logCosh, counts);
        }

        private static IReadOnlyList<T> Rows<T>(JsonElement root, string name, Func<JsonElement, T> read) =>
            root.GetProperty(name).EnumerateArray().Select(read).ToArray();

        private static double Number(JsonElement row, string name) =>
            Optional(row, name) ?? throw new InvalidDataException($"robust-references.json: '{name}' is null in {row}");

        private static double? Optional(JsonElement row, string name)
        {
            var value = row.GetProperty(name);
            return value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => Parse(value.GetString()!),
                _ => throw new InvalidDataException($"robust-references.json: '{name}' is not a string in {row}"),
            };
        }

        private static string? Text(JsonElement row, string name) =>
            row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
