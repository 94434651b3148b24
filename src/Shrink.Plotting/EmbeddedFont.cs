using ScottPlot;
using SkiaSharp;

namespace Shrink.Plotting;

/// <summary>
/// The one font every plot uses: DejaVu Sans (regular and bold), embedded in this assembly.
/// </summary>
/// <remarks>
/// The Linux Skia library we ship (SkiaSharp.NativeAssets.Linux.NoDependencies) finds fonts only by scanning
/// /usr/share/fonts. On a machine with none, ScottPlot's default font resolves to an empty typeface: every
/// label silently disappears and the tick generator, measuring all labels as zero wide, crowds the axes with
/// ticks. So the plots never ask the system: a resolver registered with ScottPlot under a name of our own
/// serves typefaces made from the embedded files, and every text element is given that name explicitly
/// (ScottPlot's global <see cref="ScottPlot.Fonts.Default"/> is left alone). DejaVu Sans covers Greek (λ),
/// the symbols the labels use and most scripts a feature name may be written in.
/// </remarks>
internal sealed class EmbeddedFont : IFontResolver
{
    /// <summary>The font name to give ScottPlot's text elements.</summary>
    public const string Name = "Shrink.Plotting DejaVu Sans";

    private static readonly Lazy<SKTypeface> Regular = new(() => Load("DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> Bold = new(() => Load("DejaVuSans-Bold.ttf"));
    private static readonly object Gate = new();
    private static bool registered;

    /// <summary>Registers the resolver with ScottPlot once per process; safe to call from any thread.</summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (registered) return;
            ScottPlot.Fonts.FontResolvers.Insert(0, new EmbeddedFont());
            registered = true;
        }
    }

    /// <summary>The embedded typeface, for measuring text the way ScottPlot will draw it.</summary>
    public static SKTypeface Typeface(bool bold) => bold ? Bold.Value : Regular.Value;

    public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
        fontName == Name ? Typeface(weight >= FontWeight.SemiBold) : null;

    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
        fontName == Name ? Typeface(bold) : null;

    private static SKTypeface Load(string file)
    {
        string resource = $"Shrink.Plotting.Fonts.{file}";
        using Stream stream = typeof(EmbeddedFont).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded font '{resource}' is missing from Shrink.Plotting");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        using SKData data = SKData.CreateCopy(copy.ToArray());
        return SKTypeface.FromData(data)
            ?? throw new InvalidOperationException($"embedded font '{resource}' could not be loaded by Skia");
    }
}
