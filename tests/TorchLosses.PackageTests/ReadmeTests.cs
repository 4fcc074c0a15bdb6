using System.Linq;
using System.Text.RegularExpressions;

namespace TorchLosses.PackageTests
{
    /// <summary>
    /// What the README promises about its own code, checked without building anything: the install block is a sequence
    /// the package tests can run (and that makes the packed folder a package source), and every C# block reaches
    /// TorchLosses through the <c>TL</c> alias, which compiles next to any TorchSharp usings.
    /// </summary>
    [Trait("Category", "Package")]
    public sealed class ReadmeTests
    {
        [Fact]
        public void Readme_install_block_packs_into_a_folder_that_the_project_then_uses_as_a_source()
        {
            var install = Readme.Load().Install;
            var commands = install.InProject.Select(c => string.Join(" ", c.Words)).ToList();

            Assert.Contains(install.Pack.Words, w => w.Replace('\\', '/') == "src/TorchLosses");
            Assert.Contains(install.Pack.Words, w => w == "Release");
            Assert.Contains(commands, c => c.StartsWith("dotnet nuget add source " + install.Folder + " ", System.StringComparison.Ordinal));
            Assert.Contains("dotnet add package TorchLosses", commands);
            Assert.Contains("dotnet add package TorchSharp-cpu --version 0.107.0", commands);
            // --source alone replaces every other source for the restore: TorchSharp (TorchLosses' dependency) is then
            // not found on a machine whose NuGet cache lacks it (NU1101). The folder belongs in nuget.config.
            Assert.DoesNotContain(commands, c => c.StartsWith("dotnet add package TorchLosses", System.StringComparison.Ordinal)
                && (c.Contains(" --source ") || c.Contains(" -s ")));
        }

        [Fact]
        public void Readme_csharp_blocks_reach_TorchLosses_through_the_TL_alias()
        {
            var blocks = Readme.Load().CSharpBlocks;
            Assert.NotEmpty(blocks);
            foreach (var block in blocks)
            {
                var code = block.Lines.Select(ConsumerProgram.WithoutComment).ToList();
                Assert.DoesNotContain(code, l => Regex.IsMatch(l, @"^\s*using\s+(static\s+)?TorchLosses(\.\w+)*\s*;"));
                for (int i = 0; i < code.Count; i++)
                {
                    // Every use of a TorchLosses name in code (comments may show TorchSharp's nn.SmoothL1Loss) goes through TL.
                    foreach (Match name in Regex.Matches(code[i], @"(?<prefix>[\w.]*?)\b(?<name>HuberLoss|SmoothL1Loss|huber_loss|smooth_l1_loss)\b"))
                    {
                        var prefix = name.Groups["prefix"].Value;
                        Assert.True(prefix is "TL." or "TL.functional.",
                            $"README.md line {block.FirstLine + i}: `{code[i].Trim()}` names {name.Groups["name"].Value} without the TL alias");
                    }
                }
                Assert.Contains(block.Lines, l => l.Trim() == "using TL = TorchLosses;");
            }
        }
    }
}
