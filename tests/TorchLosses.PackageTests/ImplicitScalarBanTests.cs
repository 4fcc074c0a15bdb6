using System;
using System.IO;

namespace TorchLosses.PackageTests
{
    /// <summary>
    /// The repository's build makes TorchSharp's implicit number→Scalar conversions an error (RS0030, BannedSymbols.txt):
    /// a new source file in a non-test project of the repository that writes <c>x.mul(0.5)</c> fails to build, and the
    /// same file with an explicit Scalar kept alive builds. The probe project lives under this project's obj folder, so
    /// it gets the repository's Directory.Build.* and central package versions exactly as the library and the sample do.
    /// </summary>
    [Trait("Category", "Package")]
    public sealed class ImplicitScalarBanTests
    {
        private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);

        [Theory]
        [InlineData("x.mul(0.5)", false)]
        [InlineData("x.clamp(-1, 1)", false)]
        [InlineData("x * 2.0", false)]
        [InlineData("x.add(x)", false)]
        [InlineData("x.mul(half)", true)]
        public void A_source_file_with_an_implicit_scalar_fails_the_build(string expression, bool builds)
        {
            var repository = RepositoryRoot();
            var directory = Path.Combine(repository, "tests", "TorchLosses.PackageTests", "obj", "analyzer-probe-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(directory);
            try
            {
                File.WriteAllText(Path.Combine(directory, "Probe.csproj"), """
                    <Project Sdk="Microsoft.NET.Sdk">
                      <ItemGroup>
                        <PackageReference Include="TorchSharp" />
                      </ItemGroup>
                    </Project>
                    """);
                File.WriteAllText(Path.Combine(directory, "Probe.cs"), $$"""
                    using TorchSharp;
                    using static TorchSharp.torch;

                    namespace Probe
                    {
                        /// <summary>A library file as a contributor might write it.</summary>
                        public static class Arithmetic
                        {
                            /// <summary>One expression.</summary>
                            public static Tensor Apply(Tensor x)
                            {
                                using var half = 0.5.ToScalar();
                                return {{expression}};
                            }
                        }
                    }
                    """);
                var result = DotnetCli.Run(directory, BuildTimeout, "build", "-c", "Release");
                Assert.False(result.TimedOut, result.Describe());
                if (builds)
                {
                    Assert.True(result.Succeeded, result.Describe());
                }
                else
                {
                    Assert.False(result.Succeeded, result.Describe());
                    Assert.Contains("RS0030", result.Output);
                }
            }
            finally
            {
                try { Directory.Delete(directory, recursive: true); } catch (IOException) { /* a build server may still hold a file */ }
            }
        }

        private static string RepositoryRoot()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
                if (File.Exists(Path.Combine(directory.FullName, "BannedSymbols.txt")))
                    return directory.FullName;
            throw new InvalidOperationException("BannedSymbols.txt not found above " + AppContext.BaseDirectory);
        }
    }
}
