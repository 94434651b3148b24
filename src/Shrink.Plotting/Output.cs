using ScottPlot;
using Shrink.IO;
using SkiaSharp;

namespace Shrink.Plotting;

/// <summary>Renders a figure to PNG or SVG bytes in memory, then writes them atomically.</summary>
internal static class Output
{
    /// <summary>Draws one or more plots side by side (equal widths, full height) and writes the image.</summary>
    public static void Write(string file, ImageKind kind, int width, int height, IReadOnlyList<Plot> panels)
    {
        byte[] bytes = Encode(kind, width, height, canvas =>
        {
            for (int i = 0; i < panels.Count; i++)
            {
                // ScottPlot clears the canvas before drawing a plot; the clip keeps that to the plot's own column.
                var (left, right) = Columns(width, panels.Count, i);
                canvas.Save();
                canvas.ClipRect(SKRect.Create(left, 0, right - left, height));
                panels[i].Render(canvas, new PixelRect(left, right, height, 0));
                canvas.Restore();
            }
        });
        AtomicFile.Write(file, stream => stream.Write(bytes));
    }

    /// <summary>The left and right pixel edges of column <paramref name="i"/> of <paramref name="count"/>.</summary>
    public static (int Left, int Right) Columns(int width, int count, int i) => (width * i / count, width * (i + 1) / count);

    public static byte[] Encode(ImageKind kind, int width, int height, Action<SKCanvas> draw)
    {
        if (kind == ImageKind.Png)
        {
            var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
            using SKSurface surface = SKSurface.Create(info)
                ?? throw new InvalidOperationException($"Skia could not create a {width} x {height} image");
            surface.Canvas.Clear(SKColors.White);
            draw(surface.Canvas);
            using SKImage image = surface.Snapshot();
            using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
            return data.ToArray();
        }

        using var memory = new MemoryStream();
        using (var stream = new SKManagedWStream(memory))
        using (SKCanvas canvas = SKSvgCanvas.Create(SKRect.Create(width, height), stream))
        {
            using var white = new SKPaint { Color = SKColors.White, Style = SKPaintStyle.Fill };
            canvas.DrawRect(SKRect.Create(width, height), white);
            draw(canvas);
        }
        return memory.ToArray();
    }
}
