using Shrink;
using Shrink.Bench;

// Two modes: the kernels' micro-benchmarks, and the machine's limits (the side-by-side runner is bench/Shrink.Side).
const string usage = """
    usage: dotnet run -c Release --project bench/Shrink.Bench -- micro [BenchmarkDotNet arguments, e.g. --filter *Sweep*]
           dotnet run -c Release --project bench/Shrink.Bench -- limits DATADIR [--dgemm GFLOPS]
    """;

try
{
    return args.Length == 0 ? Usage() : args[0] switch
    {
        "micro" => Micro.Run(args[1..]),
        "limits" => Limits.Run(args[1..]),
        _ => Usage(),
    };
}
catch (Exception e) when (e is IOException or ShrinkException or UnauthorizedAccessException)
{
    // Missing or unreadable data reads as one line (InvalidDataException, FileNotFoundException are IOExceptions).
    Console.Error.WriteLine($"Shrink.Bench: error: {e.Message}");
    return 2;
}

int Usage()
{
    Console.Error.WriteLine(usage);
    return 2;
}
