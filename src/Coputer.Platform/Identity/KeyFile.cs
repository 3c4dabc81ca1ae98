namespace Coputer.Platform.Identity;

/// <summary>
/// A secret key on disk: one line with the <c>cosec:</c> text. Written atomically with owner-only permissions
/// (0600); reading refuses a file that others can read, as ssh does.
/// </summary>
public static class KeyFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="publisher"/>'s secret key to <paramref name="path"/>, replacing any file there.</summary>
    public static void Write(string path, Publisher publisher)
    {
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerOnly;
        try
        {
            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(publisher.ExportSecret());
                writer.Write('\n');
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Reads the key pair in <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The file cannot be read, or group or others may read it.</exception>
    /// <exception cref="FormatException">The file does not hold a secret key.</exception>
    public static Publisher Read(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & ~(OwnerOnly | UnixFileMode.UserExecute)) != 0)
                throw new IOException($"{path} can be read by others (mode {Convert.ToString((int)mode, 8)}); make it private with: chmod 600 {path}");
        }
        return Publisher.ParseSecret(File.ReadAllText(path));
    }
}
