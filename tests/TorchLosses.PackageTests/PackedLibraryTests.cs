using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit.Abstractions;

namespace TorchLosses.PackageTests
{
    /// <summary>
    /// Packs the library and consumes it the way a NuGet user does: a new console app outside the repository, restored
    /// from a local feed, built and run. On a Debian 12 / Ubuntu 22.04 host this is also the proof that the package's
    /// buildTransitive ELF fix reaches consumers (without it TorchSharp fails to load: GLIBCXX_3.4.32 not found).
    /// </summary>
    [Trait("Category", "Package")]
    public sealed class PackedLibraryTests : IDisposable
    {
        private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(3);
        private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);
        private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

        private readonly ITestOutputHelper log;
        private readonly string workDirectory = Path.Combine(Path.GetTempPath(), "torchlosses-package-test-" + Guid.NewGuid().ToString("N"));
        private string? packedVersion;

        public PackedLibraryTests(ITestOutputHelper log) => this.log = log;

        [Fact]
        public void Packed_library_builds_and_runs_in_a_new_console_app()
        {
            var total = Stopwatch.StartNew();
            var feed = Path.Combine(workDirectory, "feed");
            var app = Path.Combine(workDirectory, "app");

            // A version suffix unique to this run, so NuGet cannot hand back a stale copy from its cache.
            var suffix = "test." + DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture);
            // --artifacts-path: the pack builds into its own bin/obj, never into the solution's while its tests run.
            var pack = DotnetCli.Run(RepositoryRoot(), PackTimeout,
                "pack", Path.Combine("src", "TorchLosses", "TorchLosses.csproj"), "-c", "Release",
                "--artifacts-path", Path.Combine(workDirectory, "artifacts"), "-o", feed,
                "-p:VersionSuffix=" + suffix);
            Assert.True(pack.Succeeded, pack.Describe());
            log.WriteLine($"pack: {total.Elapsed.TotalSeconds:F1} s");

            var package = Directory.GetFiles(feed, "TorchLosses.*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal));
            packedVersion = Path.GetFileNameWithoutExtension(package)["TorchLosses.".Length..];
            Assert.EndsWith("-" + suffix, packedVersion);
            Assert.True(File.Exists(Path.ChangeExtension(package, ".snupkg")), "no symbol package next to " + package);

            ConsumerApp.Write(app, feed, packedVersion);
            var build = DotnetCli.Run(app, BuildTimeout, "build", "-c", "Release");
            Assert.True(build.Succeeded, build.Describe());
            log.WriteLine($"consumer build: {total.Elapsed.TotalSeconds:F1} s");

            var assembly = Path.Combine(app, "bin", "Release", "net10.0", ConsumerApp.ProjectName + ".dll");
            var run = DotnetCli.Run(app, RunTimeout, assembly);
            Assert.True(run.Succeeded, run.Describe() + Environment.NewLine + "Build output:" + Environment.NewLine + build.Output);
            log.WriteLine(run.Output);
            log.WriteLine($"total: {total.Elapsed.TotalSeconds:F1} s");

            Assert.Equal(ConsumerApp.ExpectedLoss, PrintedValue(run, "SmoothL1Loss"), 15);
            Assert.Equal(ConsumerApp.ExpectedLoss, PrintedValue(run, "huber_loss"), 15);
        }

        private static double PrintedValue(DotnetResult run, string name)
        {
            var line = run.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + "=", StringComparison.Ordinal));
            Assert.True(line is not null, $"no line '{name}=…' in the app's output:{Environment.NewLine}{run.Output}");
            return double.Parse(line![(name.Length + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        /// <summary>The folder with TorchLosses.sln, found upwards from the test assembly.</summary>
        private static string RepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "TorchLosses.sln")))
                    return dir.FullName;
            }
            throw new InvalidOperationException("TorchLosses.sln not found above " + AppContext.BaseDirectory);
        }

        /// <summary>Removes the temporary folder and this run's one-off package version from the NuGet cache.</summary>
        public void Dispose()
        {
            TryDelete(workDirectory);
            if (packedVersion is not null)
            {
                var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
                if (string.IsNullOrEmpty(cache))
                    cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
                TryDelete(Path.Combine(cache, "torchlosses", packedVersion.ToLowerInvariant()));
            }
        }

        private static void TryDelete(string directory)
        {
            try
            {
                if (Directory.Exists(directory))
                    Directory.Delete(directory, recursive: true);
            }
            catch (IOException) { /* best effort: a temp folder */ }
            catch (UnauthorizedAccessException) { }
        }
    }
}
