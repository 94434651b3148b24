using System.Buffers.Binary;
using System.Xml.Linq;
using Shrink.Plotting;
using Xunit;

namespace Shrink.Tests;

public class PlotTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Set this to a folder to keep the sample images the tests render (e.g. to look at them):
    /// <c>SHRINK_PLOT_SAMPLES=/tmp/plot-samples dotnet test --filter PlotTests</c>.
    /// </summary>
    private const string SamplesVariable = "SHRINK_PLOT_SAMPLES";

    // ---- synthetic data: lasso-like paths (soft-thresholding linear in λ), ridge-like paths, a CV curve ----

    private static readonly string[] Students = ["hw", "sleep", "score", "gpa", "food"];
    private static readonly double[] StudentEffects = [2.2, 2.5, 0.6, -0.1, 1.2];

    /// <summary>m values from <paramref name="max"/> down to max·ratio, evenly spaced on a log scale (glmnet's grid).</summary>
    private static double[] Grid(double max, double ratio, int m) =>
        Enumerable.Range(0, m).Select(k => max * Math.Pow(ratio, k / (double)(m - 1))).ToArray();

    /// <summary>b_j(λ) = sign(β_j)·max(|β_j| − λ, 0): each path reaches exactly zero at λ = |β_j|, as a lasso path does.</summary>
    internal static PathPlot LassoPath(string title, IReadOnlyList<string> names, IReadOnlyList<double> beta, double[] lambdas)
    {
        IReadOnlyList<double>[] paths = beta
            .Select(b => (IReadOnlyList<double>)lambdas.Select(l => Math.Sign(b) * Math.Max(Math.Abs(b) - l, 0)).ToArray())
            .ToArray();
        return new PathPlot(title, lambdas, names, paths, NonZero(paths, lambdas.Length));
    }

    /// <summary>b_j(λ) = β_j / (1 + λ/d_j): shrinks smoothly and never reaches zero, as a ridge path does.</summary>
    private static PathPlot RidgePath(string title, IReadOnlyList<string> names, IReadOnlyList<double> beta, double[] lambdas)
    {
        IReadOnlyList<double>[] paths = beta
            .Select((b, j) => (IReadOnlyList<double>)lambdas.Select(l => b / (1 + l / (0.5 + 0.3 * j))).ToArray())
            .ToArray();
        return new PathPlot(title, lambdas, names, paths, NonZero(paths, lambdas.Length));
    }

    private static int[] NonZero(IReadOnlyList<double>[] paths, int m) =>
        Enumerable.Range(0, m).Select(k => paths.Count(b => b[k] != 0)).ToArray();

    private static PathPlot StudentLasso(string title = "Lasso path: 5 student features") =>
        LassoPath(title, Students, StudentEffects, Grid(3, 1e-3, 60));

    private static PathPlot StudentRidge(string title = "") => RidgePath(title, Students, StudentEffects, Grid(300, 1e-4, 60));

    /// <summary>30 features, most of them small, three with long names: tests the grey paths and crowded labels.</summary>
    private static PathPlot ManyFeatures()
    {
        var random = new Random(7);
        string[] names = Enumerable.Range(0, 30)
            .Select(j => j switch { 0 => "bmi", 1 => "blood_pressure", 2 => "s5_log_triglycerides_serum", _ => $"x{j}" })
            .ToArray();
        double[] beta = names.Select((_, j) => (random.NextDouble() * 2 - 1) * (j < 10 ? 5 : 1.2)).ToArray();
        return LassoPath("Lasso path: 30 features", names, beta, Grid(5, 1e-3, 100));
    }

    /// <summary>A U-shaped CV curve on the lasso's grid, with λmin and λ1se found the usual way.</summary>
    internal static CvPlot StudentCv(string measure = "MSE")
    {
        double[] lambdas = Grid(3, 1e-3, 50);
        double[] mean = lambdas.Select(l => 8 + 30 * Math.Pow(Math.Log(l / 1e-3) / Math.Log(3000), 3) + 0.4 * Math.Pow(Math.Max(0, Math.Log(0.05 / l)), 1.2)).ToArray();
        double[] se = mean.Select(v => 0.6 + 0.8 * (v - 8) / 30).ToArray();
        int best = Array.IndexOf(mean, mean.Min());
        int oneSe = Enumerable.Range(0, lambdas.Length).Where(k => mean[k] <= mean[best] + se[best]).MaxBy(k => lambdas[k]);
        PathPlot path = LassoPath("", Students, StudentEffects, lambdas);
        return new CvPlot("10-fold cross-validation of the lasso", lambdas, mean, se, path.NonZero, lambdas[best], lambdas[oneSe], measure);
    }

    private static (double[] Actual, double[] Predicted) Predictions(int n = 500)
    {
        var random = new Random(11);
        double[] actual = Enumerable.Range(0, n).Select(_ => 60 + 15 * (random.NextDouble() + random.NextDouble() - 1)).ToArray();
        double[] predicted = actual.Select(a => 0.85 * a + 9 + 3 * (random.NextDouble() + random.NextDouble() - 1)).ToArray();
        return (actual, predicted);
    }

    // ---- what a rendered file must be ----

    /// <summary>Width and height from a PNG's IHDR chunk, after checking the signature and the chunk's header.</summary>
    private static (int Width, int Height) PngSize(byte[] bytes)
    {
        Assert.True(bytes.Length > 33, $"a PNG of {bytes.Length} bytes is too short");
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.Equal(13u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8)));
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return ((int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(16)), (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(20)));
    }

    /// <summary>Checks the file is a PNG or SVG of the given size with text in the embedded font, and that it is the only file in the folder.</summary>
    private static void AssertImage(TempFolder folder, string name, int width, int height)
    {
        Assert.Equal([name], folder.Entries());
        string file = folder.File(name);
        byte[] bytes = File.ReadAllBytes(file);
        int enough = 2_000 + width * height / 50; // a blank image compresses to far less; our plots are 4 to 5 times this
        Assert.True(bytes.Length > enough, $"{name} is only {bytes.Length} bytes");
        if (name.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Equal((width, height), PngSize(bytes));
        }
        else
        {
            XDocument svg = XDocument.Load(file);
            XElement root = svg.Root!;
            Assert.Equal("svg", root.Name.LocalName);
            Assert.Equal(width.ToString(System.Globalization.CultureInfo.InvariantCulture), root.Attribute("width")?.Value);
            Assert.Equal(height.ToString(System.Globalization.CultureInfo.InvariantCulture), root.Attribute("height")?.Value);

            // Skia writes each text's actual typeface: every one must be the embedded DejaVu Sans, none a system font.
            var texts = root.Descendants().Where(e => e.Name.LocalName == "text").ToList();
            Assert.True(texts.Count >= 10, $"{name} has only {texts.Count} text elements");
            Assert.All(texts, t => Assert.Equal("DejaVu Sans", t.Attribute("font-family")?.Value));
        }
        KeepSample(file);
    }

    private static void KeepSample(string file)
    {
        string? folder = Environment.GetEnvironmentVariable(SamplesVariable);
        if (string.IsNullOrEmpty(folder)) return;
        Directory.CreateDirectory(folder);
        File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
    }

    // ---- each plot, in both formats ----

    [Theory]
    [InlineData("coefficient-paths.png")]
    [InlineData("coefficient-paths.svg")]
    public void CoefficientPaths_renders_at_the_default_size(string name)
    {
        using var folder = new TempFolder();
        Plots.CoefficientPaths(StudentLasso(), folder.File(name));
        AssertImage(folder, name, Plots.DefaultWidth, Plots.DefaultHeight);
    }

    [Theory]
    [InlineData("coefficient-paths-30-features.png", 1200, 700)]
    [InlineData("coefficient-paths-30-features.svg", 1200, 700)]
    [InlineData("coefficient-paths-small.png", 320, 200)]
    [InlineData("coefficient-paths-tiny.png", 100, 100)]
    public void CoefficientPaths_renders_at_other_sizes(string name, int width, int height)
    {
        using var folder = new TempFolder();
        Plots.CoefficientPaths(name.Contains("30", StringComparison.Ordinal) ? ManyFeatures() : StudentLasso(), folder.File(name), width, height);
        AssertImage(folder, name, width, height);
    }

    [Theory]
    [InlineData("cv-curve.png", "MSE")]
    [InlineData("cv-curve.svg", "MSE")]
    [InlineData("cv-curve-mae.png", "MAE")]
    public void CvCurve_renders(string name, string measure)
    {
        using var folder = new TempFolder();
        Plots.CvCurve(StudentCv(measure), folder.File(name));
        AssertImage(folder, name, Plots.DefaultWidth, Plots.DefaultHeight);
    }

    [Theory]
    [InlineData("lasso-vs-ridge.png")]
    [InlineData("lasso-vs-ridge.svg")]
    public void LassoVsRidge_renders_two_panels_at_twice_the_width(string name)
    {
        using var folder = new TempFolder();
        Plots.LassoVsRidge(StudentLasso(""), StudentRidge(), folder.File(name));
        AssertImage(folder, name, 2 * Plots.DefaultWidth, Plots.DefaultHeight);
        if (name.EndsWith(".svg", StringComparison.Ordinal))
        {
            string svg = File.ReadAllText(folder.File(name));
            Assert.Contains("exactly zero one by one", svg, StringComparison.Ordinal);
            Assert.Contains("never reaching zero", svg, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void LassoVsRidge_uses_the_callers_titles()
    {
        using var folder = new TempFolder();
        Plots.LassoVsRidge(StudentLasso("Left title"), StudentRidge("Right title"), folder.File("titled.svg"), 1000, 500);
        AssertImage(folder, "titled.svg", 1000, 500);
        string svg = File.ReadAllText(folder.File("titled.svg"));
        Assert.DoesNotContain("one by one", svg, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("predicted-vs-actual.png", 500)]
    [InlineData("predicted-vs-actual.svg", 500)]
    [InlineData("predicted-vs-actual-5000.png", 5000)]
    public void PredictedVsActual_renders(string name, int n)
    {
        using var folder = new TempFolder();
        var (actual, predicted) = Predictions(n);
        Plots.PredictedVsActual("Held-out students: predicted vs actual test score", actual, predicted, folder.File(name));
        AssertImage(folder, name, Plots.DefaultWidth, Plots.DefaultHeight);
    }

    [Fact]
    public void Extension_is_matched_in_any_letter_case_and_an_existing_file_is_replaced()
    {
        using var folder = new TempFolder();
        string file = folder.File("PATHS.PNG");
        File.WriteAllText(file, "old");
        Plots.CoefficientPaths(StudentLasso(), file, 400, 300);
        AssertImage(folder, "PATHS.PNG", 400, 300);
    }

    [Fact]
    public void Plots_render_from_several_threads_at_once()
    {
        using var folder = new TempFolder();
        Parallel.For(0, 8, i =>
        {
            if (i % 2 == 0) Plots.CoefficientPaths(StudentLasso(), folder.File($"paths-{i}.png"), 300 + i, 200);
            else Plots.CvCurve(StudentCv(), folder.File($"cv-{i}.svg"), 300 + i, 200);
        });
        Assert.Equal(8, folder.Entries().Count);
        for (int i = 0; i < 8; i += 2) Assert.Equal((300 + i, 200), PngSize(File.ReadAllBytes(folder.File($"paths-{i}.png"))));
    }

    [Fact]
    public void One_lambda_and_constant_values_still_render()
    {
        using var folder = new TempFolder();
        var path = new PathPlot("one λ", [0.5], ["a", "b"], [[0.0], [0.0]], [0]);
        Plots.CoefficientPaths(path, folder.File("one.png"));
        var cv = new CvPlot("flat", [1, 0.1], [3, 3], [0, 0], [0, 1], 0.1, 1, "MAE");
        Plots.CvCurve(cv, folder.File("flat.png"));
        Plots.PredictedVsActual("one point", [1.0], [1.0], folder.File("point.png"));
        Assert.Equal(["flat.png", "one.png", "point.png"], folder.Entries());
    }

    // ---- bad input: one clear ShrinkException, and no file ----

    private static void AssertRejected(string expected, Action<string> plot, string name = "out.png")
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<ShrinkException>(() => plot(folder.File(name)));
        Assert.Equal(expected, error.Message);
        Assert.Empty(folder.Entries());
    }

    [Theory]
    [InlineData("x.jpg")]
    [InlineData("x")]
    [InlineData("x.png.tmp")]
    public void Other_extensions_are_rejected(string name)
    {
        using var folder = new TempFolder();
        string file = folder.File(name);
        AssertRejected($"'plot' must end in .png or .svg; got '{file}'", _ => Plots.CoefficientPaths(StudentLasso(), file), name);
    }

    [Theory]
    [InlineData(99, 600, "'width' must be in [100, 10000]; got 99")]
    [InlineData(10001, 600, "'width' must be in [100, 10000]; got 10001")]
    [InlineData(900, 0, "'height' must be in [100, 10000]; got 0")]
    [InlineData(900, -5, "'height' must be in [100, 10000]; got -5")]
    public void Sizes_outside_the_range_are_rejected(int width, int height, string expected)
    {
        AssertRejected(expected, file => Plots.CoefficientPaths(StudentLasso(), file, width, height));
        AssertRejected(expected, file => Plots.CvCurve(StudentCv(), file, width, height));
        AssertRejected(expected, file => Plots.LassoVsRidge(StudentLasso(), StudentRidge(), file, width, height));
        AssertRejected(expected, file => Plots.PredictedVsActual("t", [1.0], [1.0], file, width, height));
    }

    public static TheoryData<string, PathPlot> BadPaths()
    {
        PathPlot good = StudentLasso();
        var data = new TheoryData<string, PathPlot>
        {
            { "path.Lambdas is empty: there is nothing to plot", good with { Lambdas = [] } },
            { "path.Lambdas[2] is 0; λ must be positive and finite for a log scale", good with { Lambdas = good.Lambdas.Select((l, k) => k == 2 ? 0 : l).ToArray() } },
            { "path.Lambdas[0] is -1; λ must be positive and finite for a log scale", good with { Lambdas = good.Lambdas.Select((l, k) => k == 0 ? -1 : l).ToArray() } },
            { "path.Lambdas[1] is NaN; λ must be positive and finite for a log scale", good with { Lambdas = good.Lambdas.Select((l, k) => k == 1 ? double.NaN : l).ToArray() } },
            { "path.Coefficients is empty: there are no features to plot", good with { FeatureNames = [], Coefficients = [] } },
            { "path.FeatureNames has 4 names but path.Coefficients has 5 paths (one per feature)", good with { FeatureNames = Students[..4] } },
            { "path.Coefficients[3] ('gpa') has 59 values but path.Lambdas has 60", good with { Coefficients = good.Coefficients.Select((b, j) => j == 3 ? b.Take(59).ToArray() : b).ToArray() } },
            { "path.Coefficients[1][7] ('sleep') is Infinity; coefficients must be finite", good with { Coefficients = good.Coefficients.Select((b, j) => j == 1 ? (IReadOnlyList<double>)b.Select((v, k) => k == 7 ? double.PositiveInfinity : v).ToArray() : b).ToArray() } },
            { "path.NonZero has 61 values but path.Lambdas has 60", good with { NonZero = [.. good.NonZero, 5] } },
            { "path.NonZero[0] is -1; a count must be ≥ 0", good with { NonZero = good.NonZero.Select((c, k) => k == 0 ? -1 : c).ToArray() } },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(BadPaths))]
    public void Bad_paths_are_rejected_with_the_mismatch_named(string expected, PathPlot path)
    {
        AssertRejected(expected, file => Plots.CoefficientPaths(path, file));
        AssertRejected(expected.Replace("path.", "lasso.", StringComparison.Ordinal), file => Plots.LassoVsRidge(path, StudentRidge(), file));
        AssertRejected(expected.Replace("path.", "ridge.", StringComparison.Ordinal), file => Plots.LassoVsRidge(StudentLasso(), path, file));
    }

    public static TheoryData<string, CvPlot> BadCvs()
    {
        CvPlot good = StudentCv();
        return new TheoryData<string, CvPlot>
        {
            { "cv.Lambdas is empty: there is nothing to plot", good with { Lambdas = [] } },
            { "cv.Lambdas[4] is 0; λ must be positive and finite for a log scale", good with { Lambdas = good.Lambdas.Select((l, k) => k == 4 ? 0 : l).ToArray() } },
            { "cv.Mean has 49 values but cv.Lambdas has 50", good with { Mean = good.Mean.Take(49).ToArray() } },
            { "cv.Mean[3] is NaN; values must be finite", good with { Mean = good.Mean.Select((v, k) => k == 3 ? double.NaN : v).ToArray() } },
            { "cv.StandardError has 51 values but cv.Lambdas has 50", good with { StandardError = [.. good.StandardError, 1] } },
            { "cv.StandardError[0] is -0.5; a standard error must be ≥ 0", good with { StandardError = good.StandardError.Select((v, k) => k == 0 ? -0.5 : v).ToArray() } },
            { "cv.NonZero has 0 values but cv.Lambdas has 50", good with { NonZero = [] } },
            { "cv.LambdaMin is 5 but cv.Lambdas spans [0.003, 3]", good with { LambdaMin = 5 } },
            { "cv.Lambda1Se is 0 but cv.Lambdas spans [0.003, 3]", good with { Lambda1Se = 0 } },
            { "cv.Measure is empty; give the error measure's name, e.g. \"MSE\" or \"MAE\"", good with { Measure = " " } },
        };
    }

    [Theory]
    [MemberData(nameof(BadCvs))]
    public void Bad_cv_curves_are_rejected_with_the_mismatch_named(string expected, CvPlot cv)
    {
        AssertRejected(expected, file => Plots.CvCurve(cv, file));
    }

    [Fact]
    public void Bad_predictions_are_rejected_with_the_mismatch_named()
    {
        AssertRejected("predicted has 2 values but actual has 3", file => Plots.PredictedVsActual("t", [1.0, 2, 3], [1.0, 2], file));
        AssertRejected("actual is empty: there is nothing to plot", file => Plots.PredictedVsActual("t", [], [], file));
        AssertRejected("actual[1] is NaN; values must be finite", file => Plots.PredictedVsActual("t", [1.0, double.NaN], [1.0, 2], file));
        AssertRejected("predicted[0] is -Infinity; values must be finite", file => Plots.PredictedVsActual("t", [1.0, 2], [double.NegativeInfinity, 2], file));
    }

    [Fact]
    public void A_missing_folder_is_a_one_line_error()
    {
        using var folder = new TempFolder();
        string file = Path.Combine(folder.Path, "no-such-folder", "paths.png");
        var error = Assert.Throws<ShrinkException>(() => Plots.CoefficientPaths(StudentLasso(), file));
        Assert.StartsWith($"cannot write '{file}': folder ", error.Message, StringComparison.Ordinal);
        Assert.Empty(folder.Entries());
    }

    // ---- the pieces ----

    [Fact]
    public void Labels_that_would_overlap_are_spread_apart_and_kept_inside()
    {
        // Far apart: unchanged.
        Assert.Equal([10.0, 50, 90], PathPanel.Spread([10, 50, 90], 15, 0, 100));
        // Two on top of each other: a block centred where they wanted to be.
        Assert.Equal([42.5, 57.5], PathPanel.Spread([50, 50], 15, 0, 100));
        // A crowd at the bottom edge: pushed up, still 15 apart, the last at the bound.
        double[] placed = PathPanel.Spread([95, 96, 97, 98], 15, 0, 100);
        Assert.Equal(100, placed[^1], 9);
        for (int i = 1; i < placed.Length; i++) Assert.True(placed[i] - placed[i - 1] >= 15 - 1e-9, string.Join(", ", placed));
    }

    [Fact]
    public void The_embedded_font_is_served_under_its_own_name_only()
    {
        EmbeddedFont.EnsureRegistered();
        EmbeddedFont.EnsureRegistered();
        Assert.Single(ScottPlot.Fonts.FontResolvers.OfType<EmbeddedFont>());
        SkiaSharp.SKTypeface regular = ScottPlot.Fonts.GetTypeface(EmbeddedFont.Name, bold: false, italic: false);
        SkiaSharp.SKTypeface bold = ScottPlot.Fonts.GetTypeface(EmbeddedFont.Name, bold: true, italic: false);
        Assert.Equal("DejaVu Sans", regular.FamilyName);
        Assert.True(bold.FontWeight >= 700, $"bold weight {bold.FontWeight}");
        Assert.True(regular.ContainsGlyphs("λ±→…"));
        Assert.Null(new EmbeddedFont().CreateTypeface("DejaVu Sans", bold: false, italic: false));
    }
}
