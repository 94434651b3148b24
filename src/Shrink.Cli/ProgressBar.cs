using Spectre.Console;

namespace Shrink.Cli;

/// <summary>
/// A progress bar for long work on a terminal: shown only when stdout is a terminal, the output is not JSON and
/// the work is still running after a second; never when redirected.
/// </summary>
internal static class ProgressBar
{
    public static T Run<T>(IAnsiConsole console, bool enabled, string label, long total, Func<Action, T> work)
    {
        long done = 0;
        void Step() => Interlocked.Increment(ref done);
        bool terminal = enabled && !System.Console.IsOutputRedirected && console.Profile.Capabilities.Ansi;
        if (!terminal) return work(Step);

        var job = Task.Run(() => work(Step));
        if (job.Wait(TimeSpan.FromSeconds(1))) return job.GetAwaiter().GetResult();
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(label, maxValue: total);
                while (!job.IsCompleted)
                {
                    task.Value = Math.Min(Interlocked.Read(ref done), total);
                    context.Refresh();
                    job.Wait(TimeSpan.FromMilliseconds(100));
                }
                task.Value = total;
            });
        return job.GetAwaiter().GetResult();
    }
}
