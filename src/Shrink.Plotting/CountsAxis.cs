using ScottPlot;
using ScottPlot.AxisPanels;

namespace Shrink.Plotting;

/// <summary>
/// The top axis that carries the non-zero counts. ScottPlot 5.1 draws a top axis's label with its bottom
/// edge at the top of the axis panel, i.e. outside the panel and over the plot's title; this axis draws
/// the ticks as usual and its label inside the space the panel reserves for it.
/// </summary>
internal sealed class CountsAxis : TopAxis
{
    public override void Render(RenderPack rp, float size, float offset)
    {
        if (!IsVisible) return;
        string text = LabelText;
        LabelText = string.Empty;
        try { base.Render(rp, size, offset); }
        finally { LabelText = text; }

        using Paint paint = Paint.NewDisposablePaint();
        PixelRect panel = GetPanelRect(rp.DataRect, size, offset, paint);
        LabelStyle.Alignment = Alignment.UpperCenter;
        LabelStyle.Render(rp.Canvas, new Pixel(panel.HorizontalCenter, panel.Top + PaddingOutsideAxisLabels.Top), paint, true);
    }
}
