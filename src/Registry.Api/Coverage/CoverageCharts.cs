using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Registry.Api.Coverage;

/// <summary>
/// The coverage page's charts as server-rendered SVG: no script, no library, nothing from another host (the page's
/// Content-Security-Policy holds), readable without colour (every mark carries its number as text and a title).
/// Colours are presentation attributes, not inline styles, which that policy would refuse. Labels come translated.
/// A hidden count (small cell) draws no bar and reads "&lt;5".
/// </summary>
public static class CoverageCharts
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public sealed record Bar(string Label, CoverageCount Value, string? Href);

    /// <summary>Horizontal bars, one per item, each a link when it has one.</summary>
    public static IHtmlContent Bars(string id, string title, IReadOnlyList<Bar> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        const int labelWidth = 220, barWidth = 360, row = 26, top = 8;
        var height = top + row * Math.Max(1, bars.Count) + 8;
        var max = Math.Max(1, bars.Max(b => b.Value.Visible ?? 0L));
        var svg = Open(id, title, labelWidth + barWidth + 80, height);
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            var y = top + i * row;
            var w = b.Value.Visible is { } v ? Math.Max(v > 0 ? 2 : 0, (int)Math.Round(barWidth * (double)v / max)) : 0;
            var mark = new StringBuilder();
            mark.Append(Inv, $"<title>{E(b.Label)}: {E(b.Value.ToString())}</title>");
            mark.Append(Inv, $"<text x=\"{labelWidth - 6}\" y=\"{y + 17}\" text-anchor=\"end\" font-size=\"13\">{E(Short(b.Label, 30))}</text>");
            mark.Append(Inv, $"<rect x=\"{labelWidth}\" y=\"{y + 4}\" width=\"{w}\" height=\"{row - 8}\" fill=\"#2b6cb0\"/>");
            mark.Append(Inv, $"<text x=\"{labelWidth + w + 6}\" y=\"{y + 17}\" font-size=\"13\" class=\"value\">{E(b.Value.ToString())}</text>");
            svg.Append(b.Href is null ? $"<g class=\"bar\">{mark}</g>" : $"<a class=\"bar\" href=\"{E(b.Href)}\">{mark}</a>");
        }
        return Close(svg);
    }

    public sealed record HeatCell(CoverageCount Count, CoverageCount Of, string? Href);

    /// <summary>
    /// Sector × area: each cell's share (count / of) as colour from white to <paramref name="colour"/>, the count written in it;
    /// a hidden count or base is grey and reads "&lt;5".
    /// </summary>
    public static IHtmlContent Heatmap(string id, string title, IReadOnlyList<string> areas, IReadOnlyList<(string Key, string Label)> sectors,
        Func<string, string, HeatCell> cell, string colour = "#c53030")
    {
        ArgumentNullException.ThrowIfNull(areas);
        ArgumentNullException.ThrowIfNull(sectors);
        ArgumentNullException.ThrowIfNull(cell);
        const int labelWidth = 200, cellWidth = 96, cellHeight = 30, header = 40;
        var svg = Open(id, title, labelWidth + cellWidth * sectors.Count + 10, header + cellHeight * Math.Max(1, areas.Count) + 10);
        for (var s = 0; s < sectors.Count; s++)
            svg.Append(Inv, $"<text x=\"{labelWidth + s * cellWidth + cellWidth / 2}\" y=\"{header - 10}\" text-anchor=\"middle\" font-size=\"12\">{E(Short(sectors[s].Label, 14))}</text>");
        for (var a = 0; a < areas.Count; a++)
        {
            var y = header + a * cellHeight;
            svg.Append(Inv, $"<text x=\"{labelWidth - 6}\" y=\"{y + 19}\" text-anchor=\"end\" font-size=\"13\">{E(Short(areas[a], 28))}</text>");
            for (var s = 0; s < sectors.Count; s++)
            {
                var c = cell(areas[a], sectors[s].Key);
                var x = labelWidth + s * cellWidth;
                var share = c.Count.Visible is { } n && c.Of.Visible is { } d && d > 0 ? (double)n / d : (double?)null;
                var fill = share is { } f ? Blend(colour, f) : "#cbd5e0";
                var text = c.Count.ToString() + (share is { } p ? $" ({p.ToString("P0", Inv).Replace(" ", "", StringComparison.Ordinal)})" : "");
                var mark = $"<title>{E(areas[a])} · {E(sectors[s].Label)}: {E(text)}</title>" +
                           $"<rect x=\"{x + 1}\" y=\"{y + 1}\" width=\"{cellWidth - 2}\" height=\"{cellHeight - 2}\" fill=\"{fill}\" stroke=\"#718096\" stroke-width=\"0.5\"/>" +
                           $"<text x=\"{x + cellWidth / 2}\" y=\"{y + 19}\" text-anchor=\"middle\" font-size=\"12\" fill=\"{(share is > 0.55 ? "#ffffff" : "#1a202c")}\">{E(text)}</text>";
                svg.Append(c.Href is null ? $"<g class=\"cell\" data-area=\"{E(areas[a])}\" data-sector=\"{E(sectors[s].Key)}\">{mark}</g>"
                    : $"<a class=\"cell\" data-area=\"{E(areas[a])}\" data-sector=\"{E(sectors[s].Key)}\" href=\"{E(c.Href)}\">{mark}</a>");
            }
        }
        return Close(svg);
    }

    /// <summary>One line over the months; hidden months break the line and read "&lt;5".</summary>
    public static IHtmlContent Line(string id, string title, IReadOnlyList<(DateOnly Month, CoverageCount Value)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        const int left = 50, width = 600, height = 200, bottom = 40, top = 16;
        var svg = Open(id, title, left + width + 20, top + height + bottom);
        var max = Math.Max(1, points.Max(p => p.Value.Visible ?? 0L));
        var step = points.Count > 1 ? (double)width / (points.Count - 1) : 0;
        double X(int i) => left + (points.Count > 1 ? i * step : width / 2.0);
        double Y(long v) => top + height - height * (double)v / max;
        svg.Append(Inv, $"<line x1=\"{left}\" y1=\"{top + height}\" x2=\"{left + width}\" y2=\"{top + height}\" stroke=\"#4a5568\"/>");
        svg.Append(Inv, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{top + height}\" stroke=\"#4a5568\"/>");
        svg.Append(Inv, $"<text x=\"{left - 6}\" y=\"{top + 4}\" text-anchor=\"end\" font-size=\"11\">{max}</text>");
        svg.Append(Inv, $"<text x=\"{left - 6}\" y=\"{top + height}\" text-anchor=\"end\" font-size=\"11\">0</text>");
        var path = new StringBuilder();
        var pen = false;
        for (var i = 0; i < points.Count; i++)
        {
            if (points[i].Value.Visible is { } v) { path.Append(Inv, $"{(pen ? "L" : "M")}{X(i):F1},{Y(v):F1} "); pen = true; }
            else pen = false;
        }
        if (path.Length > 0) svg.Append(Inv, $"<path d=\"{path.ToString().Trim()}\" fill=\"none\" stroke=\"#2b6cb0\" stroke-width=\"2\"/>");
        for (var i = 0; i < points.Count; i++)
        {
            var label = points[i].Month.ToString("yyyy-MM", Inv);
            var v = points[i].Value;
            var y = v.Visible is { } n ? Y(n) : top + height - 4;
            svg.Append(Inv, $"<g class=\"point\"><title>{label}: {E(v.ToString())}</title><circle cx=\"{X(i):F1}\" cy=\"{y:F1}\" r=\"3.5\" fill=\"{(v.Hidden ? "#a0aec0" : "#2b6cb0")}\"/>");
            svg.Append(Inv, $"<text x=\"{X(i):F1}\" y=\"{y - 7:F1}\" text-anchor=\"middle\" font-size=\"10\">{E(v.ToString())}</text></g>");
            if (points.Count <= 13 || i % 3 == 0)
                svg.Append(Inv, $"<text x=\"{X(i):F1}\" y=\"{top + height + 16}\" text-anchor=\"middle\" font-size=\"10\">{label}</text>");
        }
        return Close(svg);
    }

    private static StringBuilder Open(string id, string title, int width, int height)
    {
        var svg = new StringBuilder();
        svg.Append(Inv, $"<svg id=\"{E(id)}\" class=\"chart\" role=\"img\" aria-labelledby=\"{E(id)}-title\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\">");
        svg.Append(Inv, $"<title id=\"{E(id)}-title\">{E(title)}</title>");
        return svg;
    }

    private static HtmlString Close(StringBuilder svg) => new(svg.Append("</svg>").ToString());

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Short(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>White blended towards <paramref name="hex"/> by <paramref name="share"/> (0–1).</summary>
    private static string Blend(string hex, double share)
    {
        share = Math.Clamp(share, 0, 1);
        int C(int at) => int.Parse(hex.AsSpan(at, 2), NumberStyles.HexNumber, Inv);
        int Mix(int c) => (int)Math.Round(255 - (255 - c) * share);
        return $"#{Mix(C(1)):x2}{Mix(C(3)):x2}{Mix(C(5)):x2}";
    }
}
