using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using Spectre.Console;

namespace RobustRegression
{
    /// <summary>
    /// Fits Brownlee's stack-loss data by least squares, Huber's M-estimate and the adaptive robust loss, all through
    /// TorchLosses, prints the fits, and writes results.json and fits.png to the output directory.
    /// </summary>
    internal static class Program
    {
        private const int UsageError = 2;

        public static int Main(string[] args)
        {
            CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;
            var output = new Option<DirectoryInfo>("--out")
            {
                Description = "Directory for results.json and fits.png (created if missing).",
                DefaultValueFactory = _ => new DirectoryInfo("out"),
            };
            var root = new RootCommand("Robust regression of Brownlee's stack-loss data with TorchLosses: least squares, Huber, adaptive robust loss.");
            root.Options.Add(output);
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
                Console.Error.WriteLine("Run with --help for the options.");
                return UsageError;
            }
            root.SetAction(result => Run(result.GetValue(output)!));
            return parsed.Invoke();
        }

        /// <summary>Runs the three fits and writes the table, results.json and fits.png.</summary>
        public static int Run(DirectoryInfo outDirectory)
        {
            outDirectory.Create();
            var fits = FitAll();
            Report(fits);
            string json = Path.Combine(outDirectory.FullName, "results.json");
            string png = Path.Combine(outDirectory.FullName, "fits.png");
            ResultsFile.Write(json, fits);
            Picture.Save(png, fits);
            AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(json)}[/] and [blue]{Markup.Escape(png)}[/].");
            return 0;
        }

        /// <summary>The fits in the order of results.json.</summary>
        public static IReadOnlyList<RegressionFit> FitAll()
        {
            var ols = Fits.LeastSquares();
            var huber = Fits.Huber(ols);
            var adaptive = Fits.Adaptive(huber);
            return [ols, huber, adaptive];
        }

        private static void Report(IReadOnlyList<RegressionFit> fits)
        {
            AnsiConsole.MarkupLine($"[bold]Stack-loss data[/] (Brownlee 1965, {StackLoss.Count} observations): stack.loss ~ {string.Join(" + ", StackLoss.RegressorNames)}");
            var table = new Table().RoundedBorder();
            table.AddColumns("fit", "intercept", StackLoss.RegressorNames[0], StackLoss.RegressorNames[1], StackLoss.RegressorNames[2],
                "scale", "α", "lowest weights (obs: w)", "Newton steps", "max |∇|");
            foreach (var fit in fits)
            {
                string low = string.Join(", ", fit.Weights.Select((w, i) => (w, i)).Where(p => p.w < 1).OrderBy(p => p.w).Take(4)
                    .Select(p => $"{p.i + 1}: {p.w:0.000}"));
                table.AddRow(fit.Method, $"{fit.Intercept:0.0000}", $"{fit.Coefficients[0]:0.0000}", $"{fit.Coefficients[1]:0.0000}",
                    $"{fit.Coefficients[2]:0.0000}", $"{fit.Scale:0.0000}", fit.Alpha is double a ? $"{a:0.0000}" : "",
                    low.Length == 0 ? "all 1" : low, $"{fit.Steps}", $"{fit.MaxAbsGradient:0.0e+00}");
            }
            AnsiConsole.Write(table);
        }
    }
}
