using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace TorchLosses.PackageTests
{
    /// <summary>
    /// The package as NuGet users get it: its contents and metadata, and a new console app outside the repository,
    /// restored from a local feed, built and run. On a Debian 12 / Ubuntu 22.04 host the run is also the proof that the
    /// package's buildTransitive ELF fix reaches consumers (without it TorchSharp fails: GLIBCXX_3.4.32 not found).
    /// </summary>
    [Trait("Category", "Package")]
    public sealed class PackedLibraryTests : IClassFixture<PackedLibrary>
    {
        private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);
        private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

        private readonly PackedLibrary packed;
        private readonly ITestOutputHelper log;

        public PackedLibraryTests(PackedLibrary packed, ITestOutputHelper log)
        {
            this.packed = packed;
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
        public void Packed_library_builds_and_runs_in_a_new_console_app()
        {
            Assert.True(packed.PackResult.Succeeded, packed.PackResult.Describe());
            var clock = Stopwatch.StartNew();
            var app = Path.Combine(packed.WorkDirectory, "app");

            ConsumerApp.Write(app, packed.Feed, packed.Version!);
            var build = DotnetCli.Run(app, BuildTimeout, "build", "-c", "Release");
            Assert.True(build.Succeeded, build.Describe());
            log.WriteLine($"consumer build: {clock.Elapsed.TotalSeconds:F1} s");

            var assembly = Path.Combine(app, "bin", "Release", "net10.0", ConsumerApp.ProjectName + ".dll");
            var run = DotnetCli.Run(app, RunTimeout, assembly);
            Assert.True(run.Succeeded, run.Describe() + Environment.NewLine + "Build output:" + Environment.NewLine + build.Output);
            log.WriteLine(run.Output);
            log.WriteLine($"consumer build and run: {clock.Elapsed.TotalSeconds:F1} s");

            Assert.Equal(ConsumerApp.ExpectedLoss, PrintedValue(run, "SmoothL1Loss"), 15);
            Assert.Equal(ConsumerApp.ExpectedLoss, PrintedValue(run, "huber_loss"), 15);
        }

        private static double PrintedValue(DotnetResult run, string name)
        {
            var line = run.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + "=", StringComparison.Ordinal));
            Assert.True(line is not null, $"no line '{name}=…' in the app's output:{Environment.NewLine}{run.Output}");
            return double.Parse(line![(name.Length + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
        }
    }
}
