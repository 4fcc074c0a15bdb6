using System;
using System.Collections.Concurrent;

namespace TorchLosses
{
    /// <summary>
    /// Where TorchLosses sends the warnings that PyTorch raises with Python's <c>warnings.warn</c>, such as
    /// "Using a target size (…) that is different to the input size (…)". With no subscriber, each distinct message
    /// is written once to standard error, as Python's default warning filter does.
    /// </summary>
    public static class LossWarnings
    {
        private static readonly ConcurrentDictionary<string, bool> AlreadyWritten = new();

        /// <summary>Raised with the text of every warning. When it has subscribers, nothing is written to standard error.</summary>
        public static event Action<string>? Warning;

        internal static void Raise(string message)
        {
            var subscribers = Warning;
            if (subscribers is not null)
                subscribers(message);
            else if (AlreadyWritten.TryAdd(message, true))
                Console.Error.WriteLine($"UserWarning: {message}");
        }
    }
}
