namespace Coputer.Platform.Bundles;

/// <summary>A bundle or a set of program files that cannot be accepted; the message says why and names the file.</summary>
public sealed class BundleException(string message) : Exception(message);
