using System.IO;

namespace TorchLosses.PackageTests
{
    /// <summary>
    /// A console application as a NuGet user would write it, in its own folder outside the repository: references
    /// TorchLosses by version from a local feed plus TorchSharp-cpu from nuget.org, and prints the seed's example.
    /// </summary>
    public static class ConsumerApp
    {
        public const string ProjectName = "TorchLossesConsumer";

        /// <summary>The seed's example: pred [2.5, 0.3, 4.1], true [3, 0, 4]; every |x| &lt; 1 so the loss is mean(½x²) = 7/120.</summary>
        public const double ExpectedLoss = 7.0 / 120.0;

        public static void Write(string directory, string localFeed, string torchLossesVersion)
        {
            Directory.CreateDirectory(directory);
            // Empty Directory.Build.* / Directory.Packages.props stop MSBuild's upward search: nothing from a parent folder leaks in.
            File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
            File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
            File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");
            File.WriteAllText(Path.Combine(directory, "nuget.config"), NuGetConfig(localFeed));
            File.WriteAllText(Path.Combine(directory, ProjectName + ".csproj"), Project(torchLossesVersion));
            File.WriteAllText(Path.Combine(directory, "Program.cs"), Program);
        }

        /// <summary>The local feed for TorchLosses only (never a copy of that name from nuget.org), nuget.org for the rest.</summary>
        private static string NuGetConfig(string localFeed) => $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{localFeed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local">
                  <package pattern="TorchLosses" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """;

        private static string Project(string torchLossesVersion) => $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TorchLosses" Version="{torchLossesVersion}" />
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
              </ItemGroup>
            </Project>
            """;

        private const string Program = """
            using System;
            using System.Globalization;
            using TorchLosses;
            using static TorchSharp.torch;

            using var prediction = tensor(new[] { 2.5, 0.3, 4.1 }, dtype: ScalarType.Float64);
            using var truth = tensor(new[] { 3.0, 0.0, 4.0 }, dtype: ScalarType.Float64);
            using var smoothL1 = new SmoothL1Loss().call(prediction, truth);
            using var huber = functional.huber_loss(prediction, truth, delta: 1.0);
            Console.WriteLine("SmoothL1Loss=" + smoothL1.item<double>().ToString("R", CultureInfo.InvariantCulture));
            Console.WriteLine("huber_loss=" + huber.item<double>().ToString("R", CultureInfo.InvariantCulture));
            """;
    }
}
