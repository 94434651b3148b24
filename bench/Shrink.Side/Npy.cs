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
        using var stream = File.OpenRead(path);
        var (descr, shape, fortran) = Header(stream, path);
        if (descr != "<f8") throw Bad(path, $"its dtype is '{descr}'; only little-endian float64 ('<f8') is supported");
        if (shape.Length is not (1 or 2)) throw Bad(path, $"it has {shape.Length} dimensions; only 1-D and 2-D arrays are supported");
        long count = Count(path, shape);
        long remaining = stream.Length - stream.Position;
        if (remaining != count * sizeof(double))
            throw Bad(path, $"its shape needs {count * sizeof(double)} bytes of data but the file has {remaining}");
        var values = new double[count];
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return new NpyArray(values, shape, fortran && shape.Length == 2);
    }

    /// <summary>
    /// A scipy.sparse matrix saved by <c>scipy.sparse.save_npz</c> in CSC form (a zip of data.npy, indices.npy, indptr.npy,
    /// shape.npy and format.npy; the anchors' sparse X). Each array is read straight into the matrix's own array, so the
    /// file costs no memory beyond the CSC arrays themselves.
    /// </summary>
    public static FeatureMatrix ReadSparse(string path)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(path);
        System.IO.Compression.ZipArchiveEntry Entry(string name) => zip.GetEntry(name) ?? throw Bad(path, $"it has no {name} (not a scipy.sparse .npz)");
        string format;
        using (var stream = Entry("format.npy").Open())
        {
            var (descr, _, _) = Header(stream, path);
            using var reader = new StreamReader(stream, descr.StartsWith("<U", StringComparison.Ordinal) ? Encoding.UTF32 : Encoding.Latin1);
            format = reader.ReadToEnd().TrimEnd('\0');
        }
        if (format != "csc") throw Bad(path, $"it holds a '{format}' matrix; only CSC (scipy's csc_matrix) is supported");
        var shape = ReadArray<long>(Entry("shape.npy"), path, "<i8");
        var starts = ReadArray<int>(Entry("indptr.npy"), path, "<i4");
        var rows = ReadArray<int>(Entry("indices.npy"), path, "<i4");
        var values = ReadArray<double>(Entry("data.npy"), path, "<f8");
        if (shape.Length != 2) throw Bad(path, "its shape is not two sizes");
        return FeatureMatrix.FromCsc(starts, rows, values, checked((int)shape[0]), checked((int)shape[1]));
    }

    private static T[] ReadArray<T>(System.IO.Compression.ZipArchiveEntry entry, string path, string dtype) where T : unmanaged
    {
        using var stream = entry.Open();
        var (descr, shape, _) = Header(stream, $"{path}:{entry.FullName}");
        if (descr != dtype) throw Bad(path, $"{entry.FullName} has dtype '{descr}'; expected '{dtype}'");
        var values = new T[Count(path, shape)];
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static long Count(string path, int[] shape)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count > Array.MaxLength) throw Bad(path, $"its {count} values do not fit in one .NET array");
        return count;
    }

    /// <summary>Reads the magic and header of a .npy stream, leaving the stream at the first data byte.</summary>
    private static (string Descr, int[] Shape, bool Fortran) Header(Stream stream, string path)
    {
        if (!BitConverter.IsLittleEndian) throw new InvalidDataException("the .npy reader needs a little-endian machine");
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
        string order = Field(path, header, FortranPattern(), "fortran_order");
        string shapeText = Field(path, header, ShapePattern(), "shape");
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, out long v) && v >= 0 && v <= int.MaxValue ? (int)v : throw Bad(path, $"its shape ({shapeText}) is not a list of sizes"))
            .ToArray();
        return (descr, shape, order == "True");
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
