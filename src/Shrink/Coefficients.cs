namespace Shrink;

/// <summary>
/// Feature names shared by a dataset and every model fitted on it, with a name → position index built on first use:
/// a path over 100,000 features then keeps one copy of the names, not one per λ. The default names x1..xp are not
/// stored at all (on wide data they would be p strings and a dictionary, several times the size of a sparse column's
/// worth of data): each is made when asked for, and found by parsing it.
/// </summary>
internal sealed class FeatureNameList : IReadOnlyList<string>
{
    private readonly string[]? _names;
    private Dictionary<string, int>? _index;

    public FeatureNameList(string[] names)
    {
        _names = names;
        Count = names.Length;
    }

    private FeatureNameList(int count) => Count = count;

    /// <summary>x1, x2, ..., x<paramref name="count"/>.</summary>
    public static FeatureNameList Default(int count) => new(count);

    public static FeatureNameList Of(IReadOnlyList<string> names) => names as FeatureNameList ?? new FeatureNameList(names.ToArray());

    public string this[int index] => _names is not null ? _names[index]
        : (uint)index < (uint)Count ? DefaultName(index) : throw new ArgumentOutOfRangeException(nameof(index));

    public int Count { get; }

    public IEnumerator<string> GetEnumerator()
    {
        for (int j = 0; j < Count; j++) yield return this[j];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private static string DefaultName(int j) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"x{j + 1}");

    public bool TryGetIndex(string name, out int index)
    {
        if (_names is null)
        {
            // Only the canonical spelling: "x" then the position from 1, no sign, no leading zero.
            index = -1;
            if (name.Length < 2 || name[0] != 'x' || name[1] == '0') return false;
            foreach (char c in name.AsSpan(1))
                if (c is < '0' or > '9') return false;
            if (!int.TryParse(name.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int position)
                || position > Count) return false;
            index = position - 1;
            return true;
        }
        var map = _index;
        if (map is null)
        {
            map = new Dictionary<string, int>(_names.Length, StringComparer.Ordinal);
            for (int j = 0; j < _names.Length; j++) map[_names[j]] = j;
            _index = map;
        }
        return map.TryGetValue(name, out index);
    }
}

/// <summary>
/// A coefficient vector that stores only its non-zeros when most are zero (a lasso on wide data), and reads as a
/// dense list either way.
/// </summary>
internal sealed class CoefficientVector : IReadOnlyList<double>
{
    private readonly double[]? _dense;
    private readonly int[] _positions;
    private readonly double[] _values;

    private CoefficientVector(double[]? dense, int[] positions, double[] values, int count)
    {
        _dense = dense;
        _positions = positions;
        _values = values;
        Count = count;
    }

    private static bool KeepSparse(int count, int nonZero) => count >= 64 && nonZero * 4L < count;

    /// <summary>A copy of <paramref name="values"/> that holds only the non-zeros when fewer than a quarter are non-zero.</summary>
    public static CoefficientVector Copy(ReadOnlySpan<double> values)
    {
        int nonZero = 0;
        foreach (double v in values)
            if (v != 0) nonZero++;
        if (!KeepSparse(values.Length, nonZero)) return From(values.ToArray());
        var positions = new int[nonZero];
        var stored = new double[nonZero];
        for (int j = 0, k = 0; j < values.Length; j++)
            if (values[j] != 0) { positions[k] = j; stored[k++] = values[j]; }
        return new CoefficientVector(null, positions, stored, values.Length);
    }

    /// <summary>From the non-zeros alone (positions increasing): no array of <paramref name="count"/> values unless it is dense enough to need one.</summary>
    public static CoefficientVector FromNonZeros(int count, int[] positions, double[] values)
    {
        if (KeepSparse(count, positions.Length)) return new CoefficientVector(null, positions, values, count);
        var dense = new double[count];
        for (int k = 0; k < positions.Length; k++) dense[positions[k]] = values[k];
        return new CoefficientVector(dense, positions, values, count);
    }

    /// <summary>Takes ownership of <paramref name="values"/>, or copies its non-zeros out when fewer than a quarter are non-zero.</summary>
    public static CoefficientVector From(double[] values)
    {
        int nonZero = 0;
        foreach (double v in values)
            if (v != 0) nonZero++;
        var positions = new int[nonZero];
        var stored = new double[nonZero];
        for (int j = 0, k = 0; j < values.Length; j++)
            if (values[j] != 0) { positions[k] = j; stored[k++] = values[j]; }
        return new CoefficientVector(KeepSparse(values.Length, nonZero) ? null : values, positions, stored, values.Length);
    }

    public int Count { get; }

    public int NonZeroCount => _positions.Length;

    /// <summary>Positions of the non-zero coefficients, increasing.</summary>
    public ReadOnlySpan<int> NonZeroPositions => _positions;

    /// <summary>The non-zero coefficients, in the order of <see cref="NonZeroPositions"/>.</summary>
    public ReadOnlySpan<double> NonZeroValues => _values;

    public double this[int index]
    {
        get
        {
            if (_dense is not null) return _dense[index];
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            int at = Array.BinarySearch(_positions, index);
            return at >= 0 ? _values[at] : 0;
        }
    }

    public IEnumerator<double> GetEnumerator()
    {
        if (_dense is not null)
        {
            foreach (double v in _dense) yield return v;
            yield break;
        }
        int k = 0;
        for (int j = 0; j < Count; j++)
            yield return k < _positions.Length && _positions[k] == j ? _values[k++] : 0;
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
