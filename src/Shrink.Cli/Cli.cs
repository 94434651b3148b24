using Spectre.Console;

namespace Shrink.Cli;

/// <summary>Dispatches a command line and turns errors into one line on stderr and an exit code.</summary>
internal static class Cli
{
    public const int Ok = 0;
    public const int InternalError = 1;
    public const int UserError = 2;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        bool verbose = args.Contains("--verbose");
        var rest = args.Where(a => a != "--verbose").ToList();
        try
        {
            if (rest.Count == 0 || rest[0] is "--help" or "-h" or "help")
            {
                string? topic = rest.Count > 1 ? rest[1] : null;
                stdout.Write(topic is null ? Help.Main : Help.For(topic));
                return rest.Count == 0 ? UserError : Ok;
            }
            if (rest[0] == "--version")
            {
                stdout.WriteLine($"shrink {typeof(Cli).Assembly.GetName().Version?.ToString(3)}");
                return Ok;
            }
            string command = rest[0];
            var tail = rest.Skip(1).ToList();
            if (tail.Contains("--help") || tail.Contains("-h"))
            {
                stdout.Write(Help.For(command));
                return Ok;
            }
            var console = Console(stdout);
            return command switch
            {
                "fit" => FitCommand.Run(tail, console, stdout, stderr),
                "predict" => PredictCommand.Run(tail, stdout, stderr),
                "path" => PathCommand.Run(tail, console, stdout),
                "cv" => CvCommand.Run(tail, console, stdout, stderr),
                "demo" => DemoCommand.Run(tail, console, stdout),
                "stats" => StatsCommand.Run(tail, console, stdout),
                _ => throw new ShrinkException($"unknown command '{command}'; the commands are demo, fit, path, cv, predict, stats (see 'shrink --help')"),
            };
        }
        catch (ShrinkException e)
        {
            stderr.WriteLine($"shrink: error: {e.Message}");
            if (verbose) stderr.WriteLine(e);
            return UserError;
        }
        catch (Exception e) when (MissingNativeLibrary(e) is not null)
        {
            // The published tool loads Skia's native libraries from its own folder, for plots only.
            // (Its message lists every path tried, over several lines: --verbose shows it.)
            stderr.WriteLine("shrink: error: cannot draw plots: the native graphics library (libSkiaSharp.so) could not be loaded; the published tool keeps libSkiaSharp.so and libHarfBuzzSharp.so beside the shrink executable: copy them along with it");
            if (verbose) stderr.WriteLine(e);
            return UserError;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"shrink: internal error: {e.GetType().Name}: {e.Message} ({(verbose ? "details below" : "run with --verbose for details")}, and please report it)");
            if (verbose) stderr.WriteLine(e);
            return InternalError;
        }
    }

    /// <summary>The native library that could not be loaded, if that is what the exception (or one inside it) says.</summary>
    internal static DllNotFoundException? MissingNativeLibrary(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is DllNotFoundException missing) return missing;
        return null;
    }

    /// <summary>A Spectre console on the given writer: colours only on a real terminal, a fixed width otherwise.</summary>
    internal static IAnsiConsole Console(TextWriter writer)
    {
        bool terminal = ReferenceEquals(writer, System.Console.Out) && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = 100;
        return console;
    }
}
