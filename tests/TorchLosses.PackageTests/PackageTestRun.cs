using System;
using System.IO;

namespace TorchLosses.PackageTests
{
    /// <summary>
    /// What the package tests share, made once per run: the README, the library packed by its pack command, and (on first
    /// use) the consumer app set up, built and run from it.
    /// </summary>
    public sealed class PackageTestRun : IDisposable
    {
        private readonly Lazy<ConsumerApp> consumer;

        public PackageTestRun()
        {
            Readme = Readme.Load();
            Packed = new PackedLibrary(Readme.Install);
            consumer = new Lazy<ConsumerApp>(() => ConsumerApp.Create(Path.Combine(Packed.WorkDirectory, "app"), Packed, Readme));
        }

        public Readme Readme { get; }

        public PackedLibrary Packed { get; }

        /// <summary>The consumer app; its setup, build and run happen on first access (requires a successful pack).</summary>
        public ConsumerApp Consumer => consumer.Value;

        public void Dispose() => Packed.Dispose();
    }
}
