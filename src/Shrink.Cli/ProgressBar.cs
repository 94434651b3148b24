using Spectre.Console;

namespace Shrink.Cli;

/// <summary>
/// A progress bar for long work on a terminal: shown only when stdout is a terminal, the output is not JSON and
/// the work is still running after a second; never when redirected.
/// </summary>
internal static class ProgressBar
{
    /// <summary>
    /// A streaming read's bar: the share of the file's bytes read, with rows/s and MB/s, on a terminal only (the same
    /// rules as <see cref="Run{T}"/>).
    /// </summary>
    public static T Stream<T>(IAnsiConsole console, bool enabled, string label, Shrink.IO.ReadProgress progress, Func<T> work)
    {
        bool terminal = enabled && !System.Console.IsOutputRedirected && console.Profile.Capabilities.Ansi;
        if (!terminal) return work();
        var job = Task.Run(work);
        if (job.Wait(TimeSpan.FromSeconds(1))) return job.GetAwaiter().GetResult();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                long total = Math.Max(progress.TotalBytes, 1);
                var task = context.AddTask(label, maxValue: total);
                while (!job.IsCompleted)
                {
                    double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
                    long rows = progress.Rows, bytes = progress.Bytes;
                    task.Description = $"{label}: {rows:N0} rows, {rows / seconds:N0} rows/s, {bytes / seconds / 1e6:0} MB/s";
                    task.Value = Math.Min(bytes, total);
                    context.Refresh();
                    job.Wait(TimeSpan.FromMilliseconds(200));
                }
                task.Value = total;
            });
        return job.GetAwaiter().GetResult();
    }

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
