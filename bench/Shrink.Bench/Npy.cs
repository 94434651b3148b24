using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Shrink.Bench;

/// <summary>A float64 array read from a .npy file: its values in the file's order, its shape and that order.</summary>
/// <param name="Values">The values as stored: row after row (C order) or column after column (Fortran order).</param>
/// <param name="Shape">One or two dimensions.</param>
/// <param name="FortranOrder">True when the file stores a 2-D array column after column.</param>
internal sealed record NpyArray(double[] Values, int[] Shape, bool FortranOrder);

/// <summary>
/// A reader for the only .npy files the benchmark needs: little-endian float64 ('&lt;f8'), 1-D or 2-D, in C or
/// Fortran order (numpy writes Fortran order for the anchors' X, which it holds column-major). Anything else is
/// an error naming the file and what it holds. Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
/// </summary>
internal static partial class Npy
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static NpyArray Read(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new InvalidDataException("the .npy reader needs a little-endian machine");
        using var stream = File.OpenRead(path);
        var prefix = new byte[8];
        stream.ReadExactly(prefix);
        if (!prefix.AsSpan(0, 6).SequenceEqual(Magic)) throw Bad(path, "it does not start with the .npy magic \\x93NUMPY");
        int major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            var length = new byte[2];
            stream.ReadExactly(length);
            headerLength = length[0] | length[1] << 8;
        }
        else if (major is 2 or 3)
        {
            var length = new byte[4];
            stream.ReadExactly(length);
            headerLength = BitConverter.ToInt32(length);
        }
        else
        {
            throw Bad(path, $"format version {major}.{prefix[7]} is not 1, 2 or 3");
        }
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        string descr = Field(path, header, DescrPattern(), "descr");
        if (descr != "<f8") throw Bad(path, $"its dtype is '{descr}'; only little-endian float64 ('<f8') is supported");
        string order = Field(path, header, FortranPattern(), "fortran_order");
        bool fortran = order == "True";
        string shapeText = Field(path, header, ShapePattern(), "shape");
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, out long v) && v >= 0 && v <= int.MaxValue ? (int)v : throw Bad(path, $"its shape ({shapeText}) is not a list of sizes"))
            .ToArray();
        if (shape.Length is not (1 or 2)) throw Bad(path, $"it has {shape.Length} dimensions ({shapeText}); only 1-D and 2-D arrays are supported");

        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count > Array.MaxLength) throw Bad(path, $"its {count} values do not fit in one .NET array");
        long remaining = stream.Length - stream.Position;
        if (remaining != count * sizeof(double))
            throw Bad(path, $"shape ({shapeText}) needs {count * sizeof(double)} bytes of data but the file has {remaining}");
        var values = new double[count];
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return new NpyArray(values, shape, fortran && shape.Length == 2);
    }

    /// <summary>A 2-D array as a column-major matrix (no copy for Fortran order; one transposing copy for C order).</summary>
    public static FeatureMatrix ReadMatrix(string path)
    {
        var a = Read(path);
        if (a.Shape.Length != 2) throw Bad(path, $"it holds a {a.Shape.Length}-D array; X must be 2-D");
        int n = a.Shape[0], p = a.Shape[1];
        if (a.FortranOrder) return FeatureMatrix.FromColumnMajor(a.Values, n, p);
        var columnMajor = new double[a.Values.Length];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < p; j++)
                columnMajor[(long)j * n + i] = a.Values[(long)i * p + j];
        return FeatureMatrix.FromColumnMajor(columnMajor, n, p);
    }

    /// <summary>A 1-D array.</summary>
    public static double[] ReadVector(string path)
    {
        var a = Read(path);
        if (a.Shape.Length != 1) throw Bad(path, $"it holds a {a.Shape.Length}-D array; y must be 1-D");
        return a.Values;
    }

    private static string Field(string path, string header, Regex pattern, string name)
    {
        var match = pattern.Match(header);
        return match.Success ? match.Groups[1].Value : throw Bad(path, $"its header has no '{name}': {header.Trim()}");
    }

    private static InvalidDataException Bad(string path, string why) => new($"{path}: not a supported .npy file: {why}");

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
