using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;

namespace TorchLosses.PackageTests
{
    /// <summary>The outcome of one <c>dotnet</c> command: exit code and the interleaved stdout/stderr.</summary>
    public sealed record DotnetResult(string CommandLine, int ExitCode, bool TimedOut, string Output)
    {
        public bool Succeeded => !TimedOut && ExitCode == 0;

        /// <summary>Everything a failing assertion should show.</summary>
        public string Describe() =>
            $"`{CommandLine}` {(TimedOut ? "timed out" : $"exited with {ExitCode}")}. Output:{Environment.NewLine}{Output}";
    }

    /// <summary>Runs the <c>dotnet</c> CLI as a child process with a timeout, isolated from the test run's own MSBuild.</summary>
    public static class DotnetCli
    {
        public static DotnetResult Run(string workingDirectory, TimeSpan timeout, params string[] arguments)
        {
            var start = new ProcessStartInfo(DotnetExecutable())
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
            IsolateFromParentBuild(start.Environment);

            var output = new StringBuilder();
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var exited = process.WaitForExit(timeout);
            if (!exited)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* exited meanwhile */ }
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
            else
            {
                process.WaitForExit(); // flushes the asynchronous readers
            }

            string text;
            lock (output) text = output.ToString();
            var commandLine = "dotnet " + string.Join(" ", arguments);
            return new DotnetResult(commandLine, exited ? process.ExitCode : -1, !exited, text);
        }

        /// <summary>The same dotnet host that runs this test (so the same SDK), else "dotnet" from PATH.</summary>
        private static string DotnetExecutable()
        {
            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            return !string.IsNullOrEmpty(host) && System.IO.File.Exists(host) ? host : "dotnet";
        }

        /// <summary>
        /// `dotnet test` hands its MSBuild settings down to the test host through environment variables; a nested build
        /// must not inherit them. Build servers stay off: a lingering server would keep the output pipes open.
        /// </summary>
        private static void IsolateFromParentBuild(IDictionary<string, string?> environment)
        {
            foreach (var name in new List<string>(environment.Keys))
            {
                if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) ||
                    name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) ||
                    name.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase))
                    environment.Remove(name);
            }
            environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
            environment["MSBUILDDISABLENODEREUSE"] = "1";
            environment["UseSharedCompilation"] = "false";
            environment["DOTNET_NOLOGO"] = "1";
            environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        }
    }
}
