using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace TorchLosses.PackageTests
{
    /// <summary>
    /// src/TorchLosses packed once per test run by the README's own `dotnet pack` command, into a temporary folder that
    /// stands in for the README's package folder. Each run packs a stable version of its own (the library's version plus
    /// a random fourth component): NuGet caches a package by id and version, as the README warns, so a fixed version could
    /// hand back a stale copy; and a stable one is what the README's `dotnet add package TorchLosses` (no --prerelease)
    /// picks. Disposing removes the folder and that one version from the NuGet cache.
    /// </summary>
    public sealed class PackedLibrary : IDisposable
    {
        private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(3);

        public PackedLibrary(InstallCommands install)
        {
            Directory.CreateDirectory(WorkDirectory);
            var version = LibraryVersionPrefix() + "." + Random.Shared.Next(1, int.MaxValue).ToString(CultureInfo.InvariantCulture);
            // --artifacts-path: the pack builds into its own bin/obj, never into the solution's, which `dotnet test`
            // may be building or running at the same moment.
            var arguments = install.Pack.WordsWith(install.Folder, Feed).Skip(1)
                .Concat(new[] { "--artifacts-path", Path.Combine(WorkDirectory, "artifacts"), "-p:PackageVersion=" + version })
                .ToArray();
            PackResult = DotnetCli.Run(Repository.Root, PackTimeout, arguments);
            if (!PackResult.Succeeded)
                return; // the tests report PackResult

            PackagePath = Directory.GetFiles(Feed, "TorchLosses.*.nupkg").Single();
            Version = Path.GetFileNameWithoutExtension(PackagePath)["TorchLosses.".Length..];
            if (Version != version)
                throw new InvalidOperationException($"packed version {Version} is not this run's version {version}");
        }

        public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "torchlosses-package-test-" + Guid.NewGuid().ToString("N"));

        /// <summary>The package folder: the README's <c>-o</c> folder, here a temporary one.</summary>
        public string Feed => Path.Combine(WorkDirectory, "feed");

        public DotnetResult PackResult { get; }

        /// <summary>The .nupkg (the .snupkg sits next to it); null if the pack failed.</summary>
        public string? PackagePath { get; }

        /// <summary>The packed version, for example 0.1.0.123456789; null if the pack failed.</summary>
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

        /// <summary>The library's &lt;VersionPrefix&gt; (major.minor.patch) from its project file.</summary>
        private static string LibraryVersionPrefix()
        {
            var project = XDocument.Load(Path.Combine(Repository.Root, "src", "TorchLosses", "TorchLosses.csproj"));
            var prefix = project.Descendants("VersionPrefix").Single().Value.Trim();
            if (prefix.Split('.').Length != 3)
                throw new InvalidOperationException($"VersionPrefix {prefix} is not major.minor.patch");
            return prefix;
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
