namespace Shrink;

/// <summary>
/// An error the user can fix: bad options, bad input data, a problem that has no unique answer.
/// The message is one readable line naming the option and its allowed range, or the file, row and column.
/// </summary>
public sealed class ShrinkException : Exception
{
    /// <summary>Creates the exception with a one-line, user-facing message.</summary>
    public ShrinkException(string message) : base(message) { }

    /// <summary>Creates the exception with a one-line message and the underlying cause.</summary>
    public ShrinkException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The one place that builds user-facing error messages, so they read alike.</summary>
internal static class Throw
{
    public static ShrinkException Error(string message) => new(message);

    public static void IfOutOfRange(bool bad, string option, string range, double value)
    {
        if (bad) throw new ShrinkException($"'{option}' must be {range}; got {Format(value)}");
    }

    public static string Format(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
