using System.Globalization;
using System.Text;

namespace Shrink.Tests;

/// <summary>A fresh folder under the system temp path, deleted with everything in it on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"shrink-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>The full path of a file in the folder (which need not exist).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes UTF-8 text (no byte-order mark) to a file in the folder and returns its full path.</summary>
    public string Write(string name, string text)
    {
        string path = File(name);
        System.IO.File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    /// <summary>Writes a table with a header row; values are written round-trip exact.</summary>
    public string WriteTable(string name, IReadOnlyList<string> header, IReadOnlyList<double[]> columns, char separator = ',')
    {
        var text = new StringBuilder();
        text.Append(string.Join(separator, header)).Append('\n');
        for (int i = 0; i < columns[0].Length; i++)
            text.Append(string.Join(separator, columns.Select(c => c[i].ToString("R", CultureInfo.InvariantCulture)))).Append('\n');
        return Write(name, text.ToString());
    }

    /// <summary>Every file and folder name in the folder (recursively, relative, sorted), hidden ones included.</summary>
    public IReadOnlyList<string> Entries() =>
        Directory.EnumerateFileSystemEntries(Path, "*", SearchOption.AllDirectories)
            .Select(e => System.IO.Path.GetRelativePath(Path, e).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>What one in-process run of the command line produced.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The non-empty lines written to stderr.</summary>
    public IReadOnlyList<string> StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs <c>shrink</c> with captured output: in-process, or, when the environment variable SHRINK_EXE names an
/// executable (the Native AOT build: tools/publish-aot.sh), as that program in a child process, so that the same
/// command-line tests check the published binary.
/// </summary>
public static class Shell
{
    /// <summary>The executable the tests run instead of calling the tool in-process, or null.</summary>
    public static string? Executable { get; } = Environment.GetEnvironmentVariable("SHRINK_EXE") is { Length: > 0 } exe ? Path.GetFullPath(exe) : null;

    public static CliResult Run(params string[] args)
    {
        if (Executable is { } exe) return RunProcess(exe, args);
        var stdout = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var stderr = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        int code = Shrink.Cli.Cli.Run(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    private static CliResult RunProcess(string exe, string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Close();
        // Both streams at once: a child filling one pipe while we wait on the other would never finish.
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new CliResult(process.ExitCode, stdout, stderr.Result);
    }
}
