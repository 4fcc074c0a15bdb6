using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace TorchLosses.PackageTests
{
    /// <summary>
    /// A console application as a user would set it up from the README, in its own folder outside the repository: the
    /// project file of `dotnet new console` (no package references), then the README's install commands run in its folder
    /// with the README's package folder replaced by the packed feed, then built and run. Its Program.cs is
    /// <see cref="ConsumerProgram"/>: every ```csharp block of the README plus an exact check of the packed library.
    /// </summary>
    public sealed class ConsumerApp
    {
        public const string ProjectName = "TorchLossesConsumer";

        private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);
        private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);
        private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

        private ConsumerApp(string directory, ConsumerProgram program)
        {
            Directory = directory;
            Program = program;
        }

        public string Directory { get; }

        public string ProjectFile => Path.Combine(Directory, ProjectName + ".csproj");

        public ConsumerProgram Program { get; }

        /// <summary>The README's install commands as run in the project folder, in order; stops at the first failure.</summary>
        public List<DotnetResult> Setup { get; } = new();

        public bool SetupSucceeded => Setup.Count > 0 && Setup.All(r => r.Succeeded);

        /// <summary>`dotnet build -c Release`; null if the setup failed.</summary>
        public DotnetResult? Build { get; private set; }

        /// <summary>The built application's run; null if the build failed.</summary>
        public DotnetResult? Run { get; private set; }

        public TimeSpan Elapsed { get; private set; }

        /// <summary>Writes the project, runs the README's install commands in it, builds and runs it.</summary>
        public static ConsumerApp Create(string directory, PackedLibrary packed, Readme readme)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var app = new ConsumerApp(directory, ConsumerProgram.Generate(readme.CSharpBlocks));
            app.Write();

            var install = readme.Install;
            foreach (var command in install.InProject)
            {
                var result = DotnetCli.Run(directory, CommandTimeout, command.WordsWith(install.Folder, packed.Feed).Skip(1).ToArray());
                app.Setup.Add(result with { CommandLine = $"README.md line {command.Line}: {result.CommandLine}" });
                if (!result.Succeeded)
                    break;
            }

            if (app.SetupSucceeded)
                app.Build = DotnetCli.Run(directory, BuildTimeout, "build", "-c", "Release");
            if (app.Build is { Succeeded: true })
                app.Run = DotnetCli.Run(directory, RunTimeout, Path.Combine(directory, "bin", "Release", "net10.0", ProjectName + ".dll"));
            app.Elapsed = clock.Elapsed;
            return app;
        }

        private void Write()
        {
            System.IO.Directory.CreateDirectory(Directory);
            // Empty Directory.Build.* / Directory.Packages.props stop MSBuild's upward search: nothing from a parent folder leaks in.
            File.WriteAllText(Path.Combine(Directory, "Directory.Build.props"), "<Project />\n");
            File.WriteAllText(Path.Combine(Directory, "Directory.Build.targets"), "<Project />\n");
            File.WriteAllText(Path.Combine(Directory, "Directory.Packages.props"), "<Project />\n");
            File.WriteAllText(ProjectFile, NewConsoleProject);
            File.WriteAllText(Path.Combine(Directory, "Program.cs"), Program.Text);
        }

        /// <summary>What `dotnet new console` writes for net10.0: implicit usings and nullable on, no package references.</summary>
        private const string NewConsoleProject = """
            <Project Sdk="Microsoft.NET.Sdk">

              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>

            </Project>
            """;
    }
}
