using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace TorchLosses.PackageTests
{
    /// <summary>
    /// src/TorchLosses packed once per test run into a temporary local feed, with a pre-release suffix unique to the run
    /// (so NuGet cannot hand back a stale copy from its cache). Disposing removes the folder and that one version from
    /// the NuGet cache.
    /// </summary>
    public sealed class PackedLibrary : IDisposable
    {
        private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(3);

        public PackedLibrary()
        {
            Directory.CreateDirectory(WorkDirectory);
            var suffix = "test." + DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture);
            // --artifacts-path: the pack builds into its own bin/obj, never into the solution's, which `dotnet test`
            // may be building or running at the same moment.
            PackResult = DotnetCli.Run(RepositoryRoot(), PackTimeout,
                "pack", Path.Combine("src", "TorchLosses", "TorchLosses.csproj"), "-c", "Release",
                "--artifacts-path", Path.Combine(WorkDirectory, "artifacts"), "-o", Feed,
                "-p:VersionSuffix=" + suffix);
            if (!PackResult.Succeeded)
                return; // the tests report PackResult

            PackagePath = Directory.GetFiles(Feed, "TorchLosses.*.nupkg").Single();
            Version = Path.GetFileNameWithoutExtension(PackagePath)["TorchLosses.".Length..];
            if (!Version.EndsWith("-" + suffix, StringComparison.Ordinal))
                throw new InvalidOperationException($"packed version {Version} does not carry this run's suffix {suffix}");
        }

        public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "torchlosses-package-test-" + Guid.NewGuid().ToString("N"));

        public string Feed => Path.Combine(WorkDirectory, "feed");

        public DotnetResult PackResult { get; }

        /// <summary>The .nupkg (the .snupkg sits next to it); null if the pack failed.</summary>
        public string? PackagePath { get; }

        /// <summary>The packed version, for example 0.1.0-test.639000000000000000; null if the pack failed.</summary>
        public string? Version { get; }

        public void Dispose()
        {
            TryDelete(WorkDirectory);
            if (Version is not null)
            {
                var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
                if (string.IsNullOrEmpty(cache))
                    cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
                TryDelete(Path.Combine(cache, "torchlosses", Version.ToLowerInvariant()));
            }
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

        private static void TryDelete(string directory)
        {
            try
            {
                if (Directory.Exists(directory))
                    Directory.Delete(directory, recursive: true);
            }
            catch (IOException) { /* best effort: a temporary folder */ }
            catch (UnauthorizedAccessException) { }
        }
    }
}
