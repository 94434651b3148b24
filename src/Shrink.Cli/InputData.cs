using Shrink.IO;

namespace Shrink.Cli;

/// <summary>
/// Reads the training data in the format its name or '--format' says: CSV/TSV with a header (the default), or LIBSVM
/// text (.svm, .libsvm, or '--format libsvm'), which is read into a sparse matrix whose features are named by index.
/// </summary>
internal static class InputData
{
    public const string Option = "format";

    /// <summary>Whether the file is to be read as LIBSVM.</summary>
    public static bool IsLibSvm(Arguments a, string path) => a.Text(Option) switch
    {
        null => LibSvmData.HasLibSvmExtension(path),
        "libsvm" => true,
        "csv" => false,
        var other => throw new ShrinkException($"'format' must be csv or libsvm; got '{other}'"),
    };

    /// <summary>A LIBSVM training file as a sparse dataset; options that name columns are refused.</summary>
    public static Dataset ReadLibSvm(Arguments a, string path)
    {
        // A LIBSVM file has a label and numbered features, no named columns to choose or to read controls from.
        foreach (var option in new[] { "target", "features", "exclude", "weights", "offset", "fold-column" })
            if (a.Text(option) is not null)
                throw new ShrinkException($"'--{option}' names columns, which a LIBSVM file does not have ({path}: the label is the target, features are named by index); use a CSV file for it");
        if (a.Has("drop-missing")) throw new ShrinkException($"'--drop-missing' does not apply to a LIBSVM file ({path}): a feature it does not list is 0, not missing");
        var data = LibSvmData.Read(path);
        if (data.Rows < 2) throw new ShrinkException($"{path}: a model needs at least 2 rows of data; got {data.Rows}");
        return data;
    }
}
