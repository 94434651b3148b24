namespace Shrink;

/// <summary>The lower-case names of penalties and conventions used on the command line and in files.</summary>
public static class Names
{
    /// <summary>"ols", "ridge", "lasso" or "elasticnet".</summary>
    public static string Of(Penalty penalty) => penalty.ToString().ToLowerInvariant();

    /// <summary>"shrink", "sklearn", "glmnet" or "article".</summary>
    public static string Of(Convention convention) => convention.ToString().ToLowerInvariant();

    /// <summary>Parses a penalty name; an unknown name is an error listing the allowed ones.</summary>
    public static Penalty ParsePenalty(string text) =>
        Enum.GetValues<Penalty>().FirstOrDefault(v => Of(v) == text, (Penalty)(-1)) is var p && p != (Penalty)(-1) ? p
            : throw Throw.Error($"'penalty' must be one of ols, ridge, lasso, elasticnet; got '{text}'");

    /// <summary>Parses a convention name; an unknown name is an error listing the allowed ones.</summary>
    public static Convention ParseConvention(string text) =>
        Enum.GetValues<Convention>().FirstOrDefault(v => Of(v) == text, (Convention)(-1)) is var c && c != (Convention)(-1) ? c
            : throw Throw.Error($"'convention' must be one of shrink, sklearn, glmnet, article; got '{text}'");

    /// <summary>Up to 12 names for an error message, then how many more.</summary>
    internal static string List(IReadOnlyList<string> names) =>
        names.Count <= 12 ? string.Join(", ", names) : string.Join(", ", names.Take(12)) + $", ... ({names.Count - 12} more)";
}
