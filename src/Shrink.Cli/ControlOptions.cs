using System.Globalization;
using Shrink.IO;

namespace Shrink.Cli;

/// <summary>
/// The statistician's controls shared by fit, path and cv: observation weights and offsets (columns of the data),
/// penalty factors, bounds, the relaxed and the adaptive lasso.
/// </summary>
internal static class ControlOptions
{
    public static readonly string[] Values = ["weights", "offset", "penalty-factor", "lower", "upper", "gamma", "nu", "adaptive-initial", "initial-lambda"];
    public static readonly string[] Switches = ["positive", "relax", "adaptive"];

    /// <summary>The model options with factors, bounds, relaxation (one γ; cv reads its list itself) and the adaptive lasso.</summary>
    public static FitOptions Apply(Arguments a, FitOptions fit, bool gammaList = false)
    {
        if (a.Text("penalty-factor") is { } factors) fit = fit with { PenaltyFactors = Factors(factors) };
        if (a.Text("lower") is { } lower) fit = fit with { LowerBounds = Pairs("lower", lower) };
        if (a.Text("upper") is { } upper) fit = fit with { UpperBounds = Pairs("upper", upper) };
        if (a.Has("positive")) fit = fit with { Positive = true };
        if (a.Text("gamma") is not null && !a.Has("relax"))
            throw new ShrinkException("'--gamma' blends a relaxed fit; it needs '--relax'");
        if (a.Has("relax"))
        {
            if (fit.Penalty is Penalty.Ridge or Penalty.Ols)
                throw new ShrinkException($"'--relax' refits the features an L1 penalty selected; penalty {Names.Of(fit.Penalty)} selects none (use lasso or elasticnet)");
            if (!gammaList) fit = fit with { RelaxGamma = a.Number("gamma", "in [0, 1]") ?? 0 };
        }
        bool adaptiveDetails = a.Text("nu") is not null || a.Text("adaptive-initial") is not null || a.Text("initial-lambda") is not null;
        if (adaptiveDetails && !a.Has("adaptive"))
            throw new ShrinkException("'--nu', '--adaptive-initial' and '--initial-lambda' configure the adaptive lasso; they need '--adaptive'");
        if (a.Has("adaptive"))
        {
            if (fit.Penalty is Penalty.Ridge or Penalty.Ols)
                throw new ShrinkException($"'--adaptive' reweights an L1 penalty; penalty {Names.Of(fit.Penalty)} has none (use lasso or elasticnet)");
            var adaptive = new AdaptiveOptions
            {
                Initial = a.Text("adaptive-initial") switch
                {
                    null or "auto" => AdaptiveInitial.Auto,
                    "ols" => AdaptiveInitial.Ols,
                    "ridge" => AdaptiveInitial.Ridge,
                    var other => throw new ShrinkException($"'adaptive-initial' must be auto, ols or ridge; got '{other}'"),
                },
            };
            if (a.Number("nu", "> 0") is { } nu) adaptive = adaptive with { Nu = nu };
            if (a.Number("initial-lambda", "> 0") is { } l) adaptive = adaptive with { InitialLambda = l };
            fit = fit with { Adaptive = adaptive };
        }
        return fit;
    }

    /// <summary>cv's γ list: --gamma g1,g2,... with --relax, else glmnet's default 0, 0.25, 0.5, 0.75, 1.</summary>
    public static IReadOnlyList<double>? Gammas(Arguments a) =>
        !a.Has("relax") ? null : a.NumberList("gamma", "in [0, 1]") ?? [0, 0.25, 0.5, 0.75, 1];

    /// <summary>Weight and offset columns, read beside the data and never used as features.</summary>
    public static IReadOnlyList<string> Columns(Arguments a) =>
        new[] { a.Text("weights"), a.Text("offset") }.OfType<string>().ToArray() is var c && c.Length == 2 && c[0] == c[1]
            ? throw new ShrinkException($"'--weights' and '--offset' name the same column '{c[0]}'")
            : c;

    /// <summary>The dataset with its weights and offset, checked with the file and row in every message.</summary>
    public static Dataset Dataset(CsvReadResult input, Arguments a, string file)
    {
        var data = input.Data;
        double[]? weights = null, offset = null;
        if (a.Text("weights") is { } w)
        {
            weights = input.Auxiliary[w];
            for (int i = 0; i < weights.Length; i++)
                if (weights[i] < 0)
                    throw new ShrinkException($"{file}: weight column '{w}' has a negative value ({Report.Number(weights[i])}) in data row {i + 1}; weights must be ≥ 0");
            if (weights.All(v => v == 0)) throw new ShrinkException($"{file}: weight column '{w}' is 0 in every row; at least one row needs a positive weight");
        }
        if (a.Text("offset") is { } o) offset = input.Auxiliary[o];
        return weights is null && offset is null ? data
            : new Dataset(data.Features, data.Target.ToArray(), data.FeatureNames, data.TargetName, weights, offset);
    }

    /// <summary>'name=f,name=f' or a two-column CSV file of names and factors (a header row is allowed).</summary>
    private static Dictionary<string, double> Factors(string text)
    {
        if (text.Contains('=')) return Pairs("penalty-factor", text);
        if (!File.Exists(text))
            throw new ShrinkException($"'--penalty-factor' takes name=factor pairs (x1=0,x2=2) or a two-column CSV file; '{text}' is neither (no such file)");
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        var lines = File.ReadAllLines(text);
        for (int line = 0; line < lines.Length; line++)
        {
            if (lines[line].Trim().Length == 0) continue;
            var parts = lines[line].Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length != 2)
                throw new ShrinkException($"{text}:{line + 1}: a penalty-factor file has two columns, feature name and factor; got {parts.Length}");
            if (!TryNumber(parts[1], out double f))
            {
                if (line == 0 || result.Count == 0 && lines.Take(line).All(l => l.Trim().Length == 0)) continue; // a header
                throw new ShrinkException($"{text}:{line + 1}: factor '{parts[1]}' for '{parts[0]}' is not a number");
            }
            if (!result.TryAdd(parts[0], f)) throw new ShrinkException($"{text}:{line + 1}: feature '{parts[0]}' is given twice");
        }
        return result;
    }

    private static Dictionary<string, double> Pairs(string option, string text)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int eq = item.LastIndexOf('=');
            if (eq <= 0 || !TryNumber(item[(eq + 1)..], out double value))
                throw new ShrinkException($"'--{option}' must be a comma-separated list of name=number; got '{item}' in '{text}'");
            if (!result.TryAdd(item[..eq], value)) throw new ShrinkException($"'--{option}' gives feature '{item[..eq]}' twice");
        }
        return result;
    }

    /// <summary>A number, with inf/-inf accepted (an infinite factor excludes a feature; an infinite bound is none).</summary>
    private static bool TryNumber(string text, out double value)
    {
        switch (text.ToLowerInvariant())
        {
            case "inf" or "+inf" or "infinity": value = double.PositiveInfinity; return true;
            case "-inf" or "-infinity": value = double.NegativeInfinity; return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value);
    }

    /// <summary>A line for people on what the controls did, or null for a plain fit.</summary>
    public static string? Describe(LinearModel model)
    {
        var c = model.Controls;
        if (c.IsEmpty) return null;
        var parts = new List<string>();
        if (c.Weighted) parts.Add("weighted");
        if (c.HasOffset) parts.Add("with offset");
        if (c.PenaltyFactors is { } f)
        {
            var unpenalized = f.Where(kv => kv.Value == 0).Select(kv => kv.Key).ToArray();
            parts.Add($"penalty factors (rescaled to sum to {f.Count + (c.Excluded?.Count ?? 0)}){(unpenalized.Length > 0 ? $", unpenalized: {string.Join(", ", unpenalized)}" : "")}");
        }
        if (c.Excluded is { } excluded) parts.Add($"excluded: {string.Join(", ", excluded)}");
        int bounded = (c.LowerBounds?.Count ?? 0) + (c.UpperBounds?.Count ?? 0);
        if (bounded > 0)
        {
            int at = model.FeatureNames.Select((name, j) => (name, b: model.Coefficients[j]))
                .Count(t => t.b != 0 && ((c.LowerBounds?.TryGetValue(t.name, out var lo) == true && t.b == lo) || (c.UpperBounds?.TryGetValue(t.name, out var hi) == true && t.b == hi)));
            parts.Add($"{bounded} finite bound{(bounded == 1 ? "" : "s")}, {at} coefficient{(at == 1 ? "" : "s")} held at one");
        }
        if (c.RelaxGamma is { } g) parts.Add($"relaxed, γ = {Report.Short(g)} ({(g == 0 ? "the least-squares refit of the selected features" : $"{Report.Short(g)}·penalized + {Report.Short(1 - g)}·refit")})");
        return string.Join("; ", parts);
    }

    /// <summary>The adaptive lasso's initial fit and factors, for people.</summary>
    public static string DescribeAdaptive(AdaptiveWeights adaptive, double nu)
    {
        var initial = adaptive.Initial;
        string how = initial.Penalty == Penalty.Ols ? "least squares" : $"ridge, λ = {Report.Short(initial.Lambda)}";
        var listed = adaptive.Factors.Take(Report.ListAllUpTo).Select(kv => $"{kv.Key} {(double.IsPositiveInfinity(kv.Value) ? "∞ (excluded)" : Report.Short(kv.Value))}");
        return $"adaptive lasso: initial fit {how}; factors 1/|b|^{Report.Short(nu)}: {string.Join(", ", listed)}{(adaptive.Factors.Count > Report.ListAllUpTo ? ", ..." : "")}";
    }

    /// <summary>The model's controls as a "controls" object (nothing for a plain fit).</summary>
    public static void WriteControls(System.Text.Json.Utf8JsonWriter w, LinearModel model)
    {
        var c = model.Controls;
        if (!c.IsEmpty)
        {
            w.WriteStartObject("controls");
            w.WriteBoolean("weighted", c.Weighted);
            w.WriteBoolean("offset", c.HasOffset);
            if (c.PenaltyFactors is { } f)
            {
                w.WriteStartObject("penalty_factors");
                foreach (var (name, v) in f) w.WriteNumber(name, v);
                w.WriteEndObject();
            }
            if (c.Excluded is { } excluded)
            {
                w.WriteStartArray("excluded");
                foreach (var name in excluded) w.WriteStringValue(name);
                w.WriteEndArray();
            }
            foreach (var (name, bounds) in new[] { ("lower", c.LowerBounds), ("upper", c.UpperBounds) })
                if (bounds is not null)
                {
                    w.WriteStartObject(name);
                    foreach (var (feature, v) in bounds) w.WriteNumber(feature, v);
                    w.WriteEndObject();
                }
            if (c.RelaxGamma is { } g) w.WriteNumber("relax_gamma", g);
            w.WriteEndObject();
        }
    }

    /// <summary>The adaptive lasso's initial fit and factors as an "adaptive" object.</summary>
    public static void WriteAdaptive(System.Text.Json.Utf8JsonWriter w, AdaptiveWeights adaptive)
    {
        {
            w.WriteStartObject("adaptive");
            w.WriteString("initial", adaptive.Initial.Penalty == Penalty.Ols ? "ols" : "ridge");
            w.WriteNumber("initial_lambda", adaptive.Initial.Lambda);
            w.WriteStartObject("initial_coefficients");
            for (int j = 0; j < adaptive.Initial.FeatureNames.Count; j++) w.WriteNumber(adaptive.Initial.FeatureNames[j], adaptive.Initial.Coefficients[j]);
            w.WriteEndObject();
            w.WriteStartObject("factors");
            foreach (var (name, v) in adaptive.Factors)
                if (double.IsPositiveInfinity(v)) w.WriteString(name, "inf");
                else w.WriteNumber(name, v);
            w.WriteEndObject();
            w.WriteEndObject();
        }
    }
}
