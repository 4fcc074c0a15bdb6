using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace TorchLosses.PackageTests
{
    /// <summary>
    /// The package as NuGet users get it: its contents and metadata, and a new console app outside the repository, set up
    /// with the README's install commands, restored from the packed folder, built and run with every C# block of the
    /// README in it. On a Debian 12 / Ubuntu 22.04 host the run is also the proof that the package's buildTransitive ELF
    /// fix reaches consumers (without it TorchSharp fails: GLIBCXX_3.4.32 not found).
    /// </summary>
    [Trait("Category", "Package")]
    public sealed class PackedLibraryTests : IClassFixture<PackageTestRun>
    {
        /// <summary>The heading of the README section whose C# block prints the seed's loss.</summary>
        private const string SwapHeading = "The drop-in swap";

        private readonly PackageTestRun run;
        private readonly PackedLibrary packed;
        private readonly ITestOutputHelper log;

        public PackedLibraryTests(PackageTestRun run, ITestOutputHelper log)
        {
            this.run = run;
            packed = run.Packed;
            this.log = log;
        }

        [Fact]
        public void Package_holds_the_library_docs_and_build_fix_and_depends_on_TorchSharp_only()
        {
            Assert.True(packed.PackResult.Succeeded, packed.PackResult.Describe());
            using var package = ZipFile.OpenRead(packed.PackagePath!);
            var entries = package.Entries.Select(e => e.FullName).ToHashSet();
            foreach (var expected in new[]
                     {
                         "lib/net10.0/TorchLosses.dll", "lib/net10.0/TorchLosses.xml",
                         "buildTransitive/TorchLosses.targets", "buildTransitive/ElfVersionNeedPatcher.cs",
                         "README.md", "LICENSE",
                     })
                Assert.True(entries.Contains(expected), $"{expected} missing from the package; it has: {string.Join(", ", entries.OrderBy(e => e))}");

            var nuspec = XDocument.Load(package.GetEntry("TorchLosses.nuspec")!.Open());
            var ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            Assert.Equal("TorchLosses", metadata.Element(ns + "id")?.Value);
            Assert.Equal(packed.Version, metadata.Element(ns + "version")?.Value);
            Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
            Assert.Equal("expression", metadata.Element(ns + "license")?.Attribute("type")?.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
            Assert.Equal("https://github.com/torchlosses/TorchLosses", metadata.Element(ns + "repository")?.Attribute("url")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value), "no description");
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "tags")?.Value), "no tags");

            var dependencies = metadata.Descendants(ns + "dependency")
                .Select(d => $"{d.Attribute("id")?.Value} {d.Attribute("version")?.Value}")
                .Distinct().ToList();
            Assert.Equal(new[] { "TorchSharp 0.107.0" }, dependencies);

            using var symbols = ZipFile.OpenRead(Path.ChangeExtension(packed.PackagePath!, ".snupkg"));
            Assert.Contains(symbols.Entries, e => e.FullName == "lib/net10.0/TorchLosses.pdb");
        }

        [Fact]
        public void Readme_install_commands_set_up_the_consumer_project()
        {
            var app = ConsumerWithSetup();
            foreach (var step in app.Setup)
                log.WriteLine(step.CommandLine);

            var project = XDocument.Load(app.ProjectFile);
            var references = project.Descendants("PackageReference")
                .ToDictionary(r => r.Attribute("Include")!.Value, r => r.Attribute("Version")?.Value);
            Assert.True(references.TryGetValue("TorchLosses", out var torchLosses), "the README's commands added no TorchLosses reference:\n" + project);
            Assert.Equal(packed.Version, torchLosses);
            Assert.True(references.TryGetValue("TorchSharp-cpu", out var backend), "the README's commands added no TorchSharp-cpu reference:\n" + project);
            Assert.Equal("0.107.0", backend);

            var config = Directory.GetFiles(app.Directory).Single(f => Path.GetFileName(f).Equals("nuget.config", StringComparison.OrdinalIgnoreCase));
            Assert.Contains(packed.Feed, File.ReadAllText(config));
        }

        [Fact]
        public void Packed_library_builds_and_runs_in_a_new_console_app()
        {
            var app = BuiltAndRun();
            Assert.Equal(ConsumerProgram.ExpectedLoss, PrintedValue(app.Run!, "SmoothL1Loss"), 15);
            Assert.Equal(ConsumerProgram.ExpectedLoss, PrintedValue(app.Run!, "huber_loss"), 15);
        }

        [Fact]
        public void Readme_csharp_blocks_compile_and_run_in_the_consumer()
        {
            var app = BuiltAndRun();
            var warnings = app.Build!.Output.Split('\n')
                .Where(l => l.Contains("README.md(", StringComparison.Ordinal) && l.Contains(": warning ", StringComparison.Ordinal))
                .Select(l => l.Trim()).Distinct().ToList();
            Assert.True(warnings.Count == 0, "README C# blocks compile with warnings:\n" + string.Join("\n", warnings));

            var blocks = app.Program.Blocks;
            Assert.True(blocks.Count >= 2, $"expected the README's C# blocks, found {blocks.Count}");
            int? swap = null;
            for (int i = 1; i <= blocks.Count; i++)
            {
                var output = ConsumerProgram.Output(app.Run!.Output, i);
                Assert.True(output is not null,
                    $"README block {i} (line {blocks[i - 1].FirstLine}, under \"{blocks[i - 1].Heading}\") did not finish:\n{app.Run.Output}");
                if (blocks[i - 1].Heading == SwapHeading)
                    swap ??= i;
            }

            Assert.True(swap is not null, $"no C# block under the README heading \"{SwapHeading}\"");
            var printed = ConsumerProgram.Output(app.Run!.Output, swap.Value)!
                .Select(l => double.TryParse(l.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : (double?)null)
                .FirstOrDefault(v => v is not null);
            Assert.True(printed is not null, $"the swap block printed no number:\n{app.Run.Output}");
            // The block prints a float32 loss: 7/120 to float32's precision.
            Assert.Equal(ConsumerProgram.ExpectedLoss, printed!.Value, 1e-7);
        }

        /// <summary>The consumer after the README's install commands, which must all have succeeded.</summary>
        private ConsumerApp ConsumerWithSetup()
        {
            Assert.True(packed.PackResult.Succeeded, packed.PackResult.Describe());
            var app = run.Consumer;
            var failed = app.Setup.FirstOrDefault(r => !r.Succeeded);
            Assert.True(failed is null, failed?.Describe());
            Assert.True(app.SetupSucceeded, "the README's install block has no command to run in the project");
            return app;
        }

        /// <summary>The consumer built and run, both successfully.</summary>
        private ConsumerApp BuiltAndRun()
        {
            var app = ConsumerWithSetup();
            Assert.True(app.Build!.Succeeded, app.Build.Describe() + Environment.NewLine + "Program.cs:" + Environment.NewLine + app.Program.Text);
            Assert.True(app.Run!.Succeeded, app.Run.Describe() + Environment.NewLine + "Build output:" + Environment.NewLine + app.Build.Output);
            log.WriteLine(app.Run.Output);
            log.WriteLine($"consumer setup, build and run: {app.Elapsed.TotalSeconds:F1} s");
            return app;
        }

        private static double PrintedValue(DotnetResult run, string name)
        {
            var line = run.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + "=", StringComparison.Ordinal));
            Assert.True(line is not null, $"no line '{name}=…' in the app's output:{Environment.NewLine}{run.Output}");
            return double.Parse(line![(name.Length + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
        }
    }
}
