using Shrink;
using Shrink.Bench;

// Shrink's side of the anchors' benchmark: one fit, timed in-process, one JSON line (bench/README.md).
try
{
    return SideBySide.Run(args);
}
catch (Exception e) when (e is IOException or ShrinkException or UnauthorizedAccessException)
{
    // Missing or unreadable data reads as one line (InvalidDataException, FileNotFoundException are IOExceptions).
    Console.Error.WriteLine($"Shrink.Side: error: {e.Message}");
    return 2;
}
