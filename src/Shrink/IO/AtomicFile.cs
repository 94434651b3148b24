namespace Shrink.IO;

/// <summary>Writes a file completely or not at all: to a temporary file beside it, then moved into place.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Calls <paramref name="write"/> on a temporary file in the target's folder and renames it to
    /// <paramref name="path"/> once it is complete. On any failure the target is untouched and the temporary file removed.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Throw.Error($"cannot write '{path}': {e.Message}");
        }
        string folder = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(folder)) throw Throw.Error($"cannot write '{path}': folder '{folder}' does not exist");
        if (Directory.Exists(full)) throw Throw.Error($"cannot write '{path}': it is a folder");
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                write(stream);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw Throw.Error($"cannot write '{path}': {e.Message}");
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string temp)
    {
        try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
