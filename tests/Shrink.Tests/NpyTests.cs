using System.Text;
using Shrink.Bench;
using Xunit;

namespace Shrink.Tests;

/// <summary>The benchmark's .npy reader, on files written byte by byte as numpy's format document describes.</summary>
public sealed class NpyTests
{
    /// <summary>Magic, version 1.0, little-endian header length, a header padded with spaces to 64 bytes and a newline, data.</summary>
    private static byte[] NpyFile(string header, double[] values, byte major = 1)
    {
        int prefix = major == 1 ? 10 : 12;
        int padded = (prefix + header.Length + 1 + 63) / 64 * 64;
        string text = header + new string(' ', padded - prefix - header.Length - 1) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 };
        if (major == 1) bytes.AddRange(BitConverter.GetBytes((ushort)text.Length));
        else bytes.AddRange(BitConverter.GetBytes(text.Length));
        bytes.AddRange(Encoding.ASCII.GetBytes(text));
        foreach (double v in values) bytes.AddRange(BitConverter.GetBytes(v));
        return bytes.ToArray();
    }

    private static string Save(TempFolder folder, string name, byte[] bytes)
    {
        string path = folder.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void C_order_matrix_is_transposed_into_columns()
    {
        using var folder = new TempFolder();
        // [[1, 2, 3], [4, 5, 6]] stored row after row.
        string path = Save(folder, "c.npy", NpyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", [1, 2, 3, 4, 5, 6]));
        var x = Npy.ReadMatrix(path);
        Assert.Equal((2, 3), (x.Rows, x.Columns));
        Assert.Equal([1.0, 4.0], x.Column(0).ToArray());
        Assert.Equal([3.0, 6.0], x.Column(2).ToArray());
    }

    [Fact]
    public void Fortran_order_matrix_is_read_as_columns()
    {
        using var folder = new TempFolder();
        // The same matrix stored column after column (numpy.save of a Fortran-ordered array, as the anchors' X), format 2.0.
        string path = Save(folder, "f.npy", NpyFile("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", [1, 4, 2, 5, 3, 6], major: 2));
        var x = Npy.ReadMatrix(path);
        Assert.Equal(5.0, x[1, 1]);
        Assert.Equal([3.0, 6.0], x.Column(2).ToArray());
    }

    [Fact]
    public void Vector_keeps_exact_values()
    {
        using var folder = new TempFolder();
        double[] y = [0.1, -2.5e-300, double.MaxValue];
        string path = Save(folder, "y.npy", NpyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", y));
        Assert.Equal(y, Npy.ReadVector(path));
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "'<f4'")]
    [InlineData("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", "'>f8'")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", "needs 24 bytes of data but the file has 16")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 2), }", "3 dimensions")]
    [InlineData("{'descr': '<f8', 'shape': (2,), }", "no 'fortran_order'")]
    public void Unsupported_files_are_named_errors(string header, string expected)
    {
        using var folder = new TempFolder();
        string path = Save(folder, "bad.npy", NpyFile(header, [1, 2]));
        var error = Assert.Throws<InvalidDataException>(() => Npy.Read(path));
        Assert.Contains(expected, error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Wrong_dimensions_and_magic_are_named_errors()
    {
        using var folder = new TempFolder();
        string vector = Save(folder, "v.npy", NpyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", [1, 2]));
        Assert.Contains("X must be 2-D", Assert.Throws<InvalidDataException>(() => Npy.ReadMatrix(vector)).Message);
        string text = Save(folder, "t.npy", Encoding.ASCII.GetBytes("x,y\n1,2\n"));
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => Npy.Read(text)).Message);
    }
}
