using System.Globalization;

namespace Shrink.IO;

/// <summary>What to take from a LIBSVM / svmlight file.</summary>
public sealed record LibSvmReadOptions
{
    /// <summary>
    /// At least this many features (a model trained on p features predicts on a file whose largest index may be
    /// smaller); 0 means the largest index in the file.
    /// </summary>
    public int MinimumFeatures { get; init; }

    /// <summary>The target's name in messages and model files (default "y").</summary>
    public string TargetName { get; init; } = "y";
}

/// <summary>
/// Reads LIBSVM / svmlight text into a sparse dataset: one row per line, <c>label index:value index:value ...</c> with
/// 1-based indices that increase strictly within a line, an optional <c>qid:N</c> after the label (ignored), and
/// <c>#</c> starting a comment; empty and comment-only lines are skipped. The label is the target; feature j is named
/// by its index as written ("1", "2", ...), the largest index gives the number of features, and zeros written out are
/// not stored. Every error names the file and line. Lines are parsed as spans (one string per line, none per token).
/// </summary>
public static class LibSvmData
{
    /// <summary>File extensions read as LIBSVM by the tool.</summary>
    public static bool HasLibSvmExtension(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".svm" or ".libsvm";

    /// <summary>Reads a file; throws <see cref="ShrinkException"/> naming the file and line for anything malformed.</summary>
    public static Dataset Read(string path, LibSvmReadOptions? options = null)
    {
        if (!File.Exists(path)) throw new ShrinkException($"{path}: no such file");
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, true, 1 << 16);
        return Read(reader, path, options);
    }

    /// <summary>Reads LIBSVM text; <paramref name="source"/> names it in errors.</summary>
    public static Dataset Read(TextReader text, string source, LibSvmReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= new LibSvmReadOptions();
        // Row by row (CSR) as the file gives them, turned into columns (CSC) at the end.
        var labels = new List<double>();
        var rowStarts = new List<int> { 0 };
        var columns = new Growable<int>();
        var values = new Growable<double>();
        int maxIndex = 0;
        int lineNumber = 0;
        string? line;
        while ((line = text.ReadLine()) is not null)
        {
            lineNumber++;
            var span = line.AsSpan();
            int hash = span.IndexOf('#');
            if (hash >= 0) span = span[..hash];
            span = span.Trim();
            if (span.IsEmpty) continue;
            string Where() => $"{source}:{lineNumber}";

            var tokens = span.SplitAny(Separators);
            double label = 0;
            bool hasLabel = false;
            int previous = 0;
            foreach (var range in tokens)
            {
                var token = span[range];
                if (token.IsEmpty) continue;
                int colon = token.IndexOf(':');
                if (!hasLabel)
                {
                    if (colon >= 0)
                        throw new ShrinkException($"{Where()}: the line starts with '{Clip(token)}' but must start with the label (the target value) before any index:value pairs");
                    if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out label))
                        throw new ShrinkException($"{Where()}: the label '{Clip(token)}' is not a number");
                    if (!double.IsFinite(label)) throw new ShrinkException($"{Where()}: the label is not finite ({Clip(token)})");
                    hasLabel = true;
                    continue;
                }
                if (colon < 0) throw new ShrinkException($"{Where()}: '{Clip(token)}' is not an index:value pair");
                var name = token[..colon];
                var valueText = token[(colon + 1)..];
                if (name.SequenceEqual("qid"))
                {
                    if (previous > 0) throw new ShrinkException($"{Where()}: 'qid:' must come right after the label, before the features");
                    continue;
                }
                if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                    throw new ShrinkException($"{Where()}: the feature index '{Clip(name)}' is not a whole number ≥ 1");
                if (index == 0) throw new ShrinkException($"{Where()}: feature index 0: LIBSVM indices count from 1");
                if (index == previous) throw new ShrinkException($"{Where()}: feature index {index} appears twice");
                if (index < previous) throw new ShrinkException($"{Where()}: feature indices must increase along a line; {index} comes after {previous}");
                if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                    throw new ShrinkException($"{Where()}: the value '{Clip(valueText)}' of feature {index} is not a number");
                if (!double.IsFinite(value)) throw new ShrinkException($"{Where()}: feature {index} has a non-finite value ({Clip(valueText)})");
                previous = index;
                if (value == 0) continue;
                columns.Add(index - 1);
                values.Add(value);
            }
            if (maxIndex < previous) maxIndex = previous;
            labels.Add(label);
            rowStarts.Add(columns.Count);
        }

        int n = labels.Count;
        if (n == 0) throw new ShrinkException($"{source}: no data rows (every line is empty or a comment)");
        int p = Math.Max(maxIndex, options.MinimumFeatures);
        var matrix = ToColumns(rowStarts, columns, values, n, p);
        var names = new string[p];
        for (int j = 0; j < p; j++) names[j] = (j + 1).ToString(CultureInfo.InvariantCulture);
        return new Dataset(matrix, labels.ToArray(), names, options.TargetName);
    }

    private static ReadOnlySpan<char> Separators => " \t";

    private static string Clip(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "…");

    /// <summary>CSR (rows as read) to CSC: count per column, then scatter; rows stay increasing within each column.</summary>
    private static FeatureMatrix ToColumns(List<int> rowStarts, Growable<int> columns, Growable<double> values, int n, int p)
    {
        int nnz = columns.Count;
        var starts = new int[p + 1];
        for (int k = 0; k < nnz; k++) starts[columns[k] + 1]++;
        for (int j = 0; j < p; j++) starts[j + 1] += starts[j];
        var next = (int[])starts.Clone();
        var rows = new int[nnz];
        var stored = new double[nnz];
        for (int i = 0; i < n; i++)
            for (int k = rowStarts[i]; k < rowStarts[i + 1]; k++)
            {
                int at = next[columns[k]]++;
                rows[at] = i;
                stored[at] = values[k];
            }
        return FeatureMatrix.FromCsc(starts, rows, stored, n, p);
    }

    /// <summary>
    /// A list of unmanaged values in blocks of fixed size, without List's per-element bounds and version checks. Blocks,
    /// not one array doubled as it fills: doubling would copy every value about once more and leave the old arrays
    /// (as large as the final one, together) to the collector while the CSC copy is built, about 50 MB on a file of
    /// 4 million non-zeros.
    /// </summary>
    private sealed class Growable<T> where T : unmanaged
    {
        private const int Shift = 16;
        private const int Mask = (1 << Shift) - 1;
        private readonly List<T[]> _blocks = [];
        public int Count { get; private set; }
        public T this[int k] => _blocks[k >> Shift][k & Mask];

        public void Add(T item)
        {
            int at = Count & Mask;
            if (at == 0 && Count >> Shift == _blocks.Count) _blocks.Add(new T[1 << Shift]);
            _blocks[Count >> Shift][at] = item;
            Count = checked(Count + 1);
        }
    }
}
