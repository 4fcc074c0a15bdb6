using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace TorchLosses.PackageTests
{
    /// <summary>One fenced code block of README.md: its language, the heading it sits under and its lines.</summary>
    /// <param name="Language">What follows the opening fence (csharp, bash, …), or empty.</param>
    /// <param name="Heading">The text of the nearest heading above the block.</param>
    /// <param name="FirstLine">The 1-based README line number of the block's first content line.</param>
    /// <param name="Lines">The content lines, without the fences.</param>
    public sealed record CodeBlock(string Language, string Heading, int FirstLine, IReadOnlyList<string> Lines);

    /// <summary>The repository's README.md, split into its fenced code blocks.</summary>
    public sealed class Readme
    {
        /// <summary>The heading of the section whose first bash block holds the install commands.</summary>
        public const string InstallHeading = "Install";

        private Readme(IReadOnlyList<CodeBlock> blocks) => Blocks = blocks;

        public static string Path => System.IO.Path.Combine(Repository.Root, "README.md");

        public IReadOnlyList<CodeBlock> Blocks { get; }

        /// <summary>Every ```csharp block, in README order.</summary>
        public IReadOnlyList<CodeBlock> CSharpBlocks => Blocks.Where(b => b.Language == "csharp").ToList();

        /// <summary>The commands of the first bash block under the "Install" heading.</summary>
        public InstallCommands Install =>
            InstallCommands.Parse(Blocks.FirstOrDefault(b => b.Language == "bash" && b.Heading == InstallHeading)
                ?? throw new FormatException($"README.md has no ```bash block under the heading '{InstallHeading}'."));

        public static Readme Load() => Parse(File.ReadAllLines(Path));

        public static Readme Parse(IReadOnlyList<string> lines)
        {
            var blocks = new List<CodeBlock>();
            var heading = "";
            for (int i = 0; i < lines.Count; i++)
            {
                var line = lines[i];
                if (line.StartsWith("```", StringComparison.Ordinal))
                {
                    var language = line[3..].Trim();
                    var body = new List<string>();
                    int first = i + 2; // 1-based number of the line after the fence
                    for (i++; i < lines.Count && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
                        body.Add(lines[i]);
                    if (i == lines.Count)
                        throw new FormatException($"README.md: the code block opened on line {first - 1} is never closed.");
                    blocks.Add(new CodeBlock(language, heading, first, body));
                }
                else if (line.StartsWith('#'))
                {
                    heading = line.TrimStart('#').Trim();
                }
            }
            return new Readme(blocks);
        }
    }

    /// <summary>One command line of the README's install block, split into words as a POSIX shell would (quotes, no expansion).</summary>
    /// <param name="Line">The README line number.</param>
    /// <param name="Text">The command as written, without its comment.</param>
    /// <param name="Words">The command's words.</param>
    public sealed record ShellCommand(int Line, string Text, IReadOnlyList<string> Words)
    {
        /// <summary>The words with every occurrence of <paramref name="from"/> replaced by <paramref name="to"/>.</summary>
        public string[] WordsWith(string from, string to) => Words.Select(w => w == from ? to : w).ToArray();
    }

    /// <summary>
    /// The README's install commands as the package tests run them: `git clone` and `cd` before the pack are skipped (the
    /// tests run in this clone), the one `dotnet pack` runs in the repository, every `dotnet` command after it runs in
    /// the consumer project. Anything else is refused, so that the README cannot gain a step the tests do not run.
    /// </summary>
    public sealed class InstallCommands
    {
        private InstallCommands(ShellCommand pack, string folder, IReadOnlyList<ShellCommand> inProject, IReadOnlyList<ShellCommand> skipped)
        {
            Pack = pack;
            Folder = folder;
            InProject = inProject;
            Skipped = skipped;
        }

        /// <summary>The `dotnet pack` command.</summary>
        public ShellCommand Pack { get; }

        /// <summary>The package folder as the README writes it: the pack's <c>-o</c> argument (substituted by the tests).</summary>
        public string Folder { get; }

        /// <summary>The `dotnet` commands run in the user's project, in order.</summary>
        public IReadOnlyList<ShellCommand> InProject { get; }

        /// <summary>The `git clone` and `cd` lines that the tests skip.</summary>
        public IReadOnlyList<ShellCommand> Skipped { get; }

        public static InstallCommands Parse(CodeBlock block)
        {
            ShellCommand? pack = null;
            var inProject = new List<ShellCommand>();
            var skipped = new List<ShellCommand>();
            for (int i = 0; i < block.Lines.Count; i++)
            {
                var text = WithoutComment(block.Lines[i]).Trim();
                if (text.Length == 0)
                    continue;
                var command = new ShellCommand(block.FirstLine + i, text, Words(text, block.FirstLine + i));
                var words = command.Words;
                if (pack is null && ((words[0] == "git" && words.Count > 1 && words[1] == "clone") || words[0] == "cd"))
                    skipped.Add(command);
                else if (words[0] == "dotnet" && words.Count > 1 && words[1] == "pack" && pack is null)
                    pack = command;
                else if (words[0] == "dotnet" && pack is not null)
                    inProject.Add(command);
                else
                    throw new FormatException(
                        $"README.md line {command.Line}: `{text}` is not a step the package tests can run. They skip `git clone` and `cd` " +
                        "before the one `dotnet pack`, run the pack in the repository and every later `dotnet` command in the consumer project.");
            }
            if (pack is null)
                throw new FormatException($"README.md: the install block (line {block.FirstLine}) has no `dotnet pack` command.");
            var output = pack.Words.ToList().FindIndex(w => w is "-o" or "--output");
            if (output < 0 || output + 1 >= pack.Words.Count)
                throw new FormatException($"README.md line {pack.Line}: `{pack.Text}` names no output folder (-o <folder>).");
            return new InstallCommands(pack, pack.Words[output + 1], inProject, skipped);
        }

        /// <summary>The line up to a `#` that starts a word (a shell comment).</summary>
        private static string WithoutComment(string line)
        {
            bool quoted = false;
            char quote = '\0';
            for (int i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (quoted)
                {
                    if (c == quote)
                        quoted = false;
                }
                else if (c is '"' or '\'')
                {
                    quoted = true;
                    quote = c;
                }
                else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
                {
                    return line[..i];
                }
            }
            return line;
        }

        /// <summary>Splits a command into words; refuses the shell syntax that the tests cannot reproduce without a shell.</summary>
        private static IReadOnlyList<string> Words(string text, int line)
        {
            var words = new List<string>();
            var word = new StringBuilder();
            bool inWord = false;
            char quote = '\0';
            foreach (var c in text)
            {
                if (quote != '\0')
                {
                    if (c == quote)
                        quote = '\0';
                    else
                        word.Append(c);
                }
                else if (c is '"' or '\'')
                {
                    quote = c;
                    inWord = true;
                }
                else if (char.IsWhiteSpace(c))
                {
                    if (inWord)
                        words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
                else if ("|&;<>$`\\*?".Contains(c))
                {
                    throw new FormatException(
                        $"README.md line {line}: `{text}` uses the shell character '{c}'; the package tests run each command without a shell. " +
                        "Write a concrete folder (not a <placeholder>), and one command per line.");
                }
                else
                {
                    word.Append(c);
                    inWord = true;
                }
            }
            if (quote != '\0')
                throw new FormatException($"README.md line {line}: unbalanced quote in `{text}`.");
            if (inWord)
                words.Add(word.ToString());
            return words;
        }
    }

    /// <summary>The repository the tests run from.</summary>
    public static class Repository
    {
        /// <summary>The folder with TorchLosses.sln, found upwards from the test assembly.</summary>
        public static string Root { get; } = FindRoot();

        private static string FindRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "TorchLosses.sln")))
                    return dir.FullName;
            }
            throw new InvalidOperationException("TorchLosses.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
