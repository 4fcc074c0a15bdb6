// Compiled by MSBuild's RoslynCodeTaskFactory from TorchLosses.targets against netstandard2.0:
// it must stay self-contained (no project references, no APIs newer than netstandard2.0).
#nullable enable
using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Makes TorchSharp 0.107's <c>libLibTorchSharp.so</c> load on Linux hosts whose libstdc++ predates GCC 13
/// (Debian 12, Ubuntu 22.04): the library declares a need for <c>GLIBCXX_3.4.32</c> only because of
/// <c>std::ios_base_library_init()</c>, a link-time marker of GCC 13+'s &lt;iostream&gt; that nothing relocates against.
/// Setting <c>VER_FLG_WEAK</c> on that one version need (in the copy in the output folder, never the NuGet cache)
/// turns the loader's hard error into nothing at all. Idempotent; keeps the file's timestamp so incremental
/// copies do not churn.
/// </summary>
public sealed class PatchGlibcxxVersionNeed : Task
{
    private const string MissingVersion = "GLIBCXX_3.4.32";
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    /// <summary>Folders to search (not recursively beyond runtimes/*/native) for libLibTorchSharp.so.</summary>
    [Required]
    public string[] Directories { get; set; } = Array.Empty<string>();

    public override bool Execute()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            return true;
        var hostLibStdCxx = FindHostLibStdCxx();
        if (hostLibStdCxx is null || ContainsAscii(hostLibStdCxx, MissingVersion))
            return true; // the host has GLIBCXX_3.4.32 (or no libstdc++ we can see): nothing to do.

        foreach (var dir in Directories)
        {
            foreach (var candidate in new[] { Path.Combine(dir, "libLibTorchSharp.so"), Path.Combine(dir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so") })
            {
                if (!File.Exists(candidate))
                    continue;
                try
                {
                    var outcome = Patch(candidate);
                    if (outcome == Outcome.Patched)
                        Log.LogMessage(MessageImportance.High,
                            $"TorchLosses: marked the {MissingVersion} need of {candidate} weak (host libstdc++ {hostLibStdCxx} lacks it; see README, Troubleshooting).");
                    else if (outcome == Outcome.AlreadyWeak)
                        Log.LogMessage(MessageImportance.Low, $"TorchLosses: {candidate} already has a weak {MissingVersion} need.");
                }
                catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
                {
                    Log.LogWarning($"TorchLosses: could not patch {candidate}: {e.Message}. TorchSharp may fail to load with \"version '{MissingVersion}' not found\".");
                }
            }
        }
        return !Log.HasLoggedErrors;
    }

    private enum Outcome { NoSuchNeed, AlreadyWeak, Patched }

    private static Outcome Patch(string path)
    {
        var stamp = File.GetLastWriteTimeUtc(path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (bytes[4] != 2 || bytes[5] != 1)
            throw new InvalidDataException("not a little-endian 64-bit ELF file");

        ulong shoff = BitConverter.ToUInt64(bytes, 0x28);
        int shentsize = BitConverter.ToUInt16(bytes, 0x3A);
        int shnum = BitConverter.ToUInt16(bytes, 0x3C);
        var outcome = Outcome.NoSuchNeed;
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            if (BitConverter.ToUInt32(bytes, sh + 4) != ShtGnuVerneed)
                continue;
            int verneedOffset = checked((int)BitConverter.ToUInt64(bytes, sh + 0x18));
            int strtabIndex = (int)BitConverter.ToUInt32(bytes, sh + 0x28);
            int entries = (int)BitConverter.ToUInt32(bytes, sh + 0x2C);
            int strtabOffset = checked((int)BitConverter.ToUInt64(bytes, checked((int)shoff + strtabIndex * shentsize) + 0x18));

            int vn = verneedOffset;
            for (int n = 0; n < entries; n++)
            {
                int count = BitConverter.ToUInt16(bytes, vn + 2);
                int aux = vn + (int)BitConverter.ToUInt32(bytes, vn + 8);
                for (int a = 0; a < count; a++)
                {
                    string name = ReadCString(bytes, strtabOffset + (int)BitConverter.ToUInt32(bytes, aux + 8));
                    if (name == MissingVersion)
                    {
                        ushort flags = BitConverter.ToUInt16(bytes, aux + 4);
                        if ((flags & VerFlagWeak) != 0)
                            outcome = outcome == Outcome.Patched ? Outcome.Patched : Outcome.AlreadyWeak;
                        else
                        {
                            BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(bytes, aux + 4);
                            outcome = Outcome.Patched;
                        }
                    }
                    aux += (int)BitConverter.ToUInt32(bytes, aux + 12);
                }
                vn += (int)BitConverter.ToUInt32(bytes, vn + 12);
            }
        }
        if (outcome == Outcome.Patched)
        {
            // Write to a sibling file and move it into place: a hard link to the NuGet cache is replaced, never written through.
            var temporary = path + ".torchlosses-patch";
            File.WriteAllBytes(temporary, bytes);
            File.Delete(path);
            File.Move(temporary, path);
            File.SetLastWriteTimeUtc(path, stamp);
        }
        return outcome;
    }

    private static string ReadCString(byte[] bytes, int offset)
    {
        int end = Array.IndexOf(bytes, (byte)0, offset);
        return Encoding.ASCII.GetString(bytes, offset, end - offset);
    }

    private static string? FindHostLibStdCxx()
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };
        foreach (var candidate in candidates)
            if (File.Exists(candidate))
                return candidate;
        return null;
    }

    private static bool ContainsAscii(string path, string text)
    {
        var needle = Encoding.ASCII.GetBytes(text + "\0");
        var haystack = File.ReadAllBytes(path);
        for (int start = Array.IndexOf(haystack, needle[0]); start >= 0 && start <= haystack.Length - needle.Length;
             start = Array.IndexOf(haystack, needle[0], start + 1))
        {
            int k = 1;
            while (k < needle.Length && haystack[start + k] == needle[k])
                k++;
            if (k == needle.Length)
                return true;
        }
        return false;
    }
}
