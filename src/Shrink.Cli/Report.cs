using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Shrink.Cli;

/// <summary>How models are shown: tables for people, JSON for programs.</summary>
internal static class Report
{
    public static string Number(double value) =>
        value == 0 ? "0" : value.ToString(Math.Abs(value) is >= 1e-4 and < 1e7 ? "0.######" : "0.#####e+0", CultureInfo.InvariantCulture);

    public static string Short(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>Coefficient tables list every feature up to this many; beyond, the dropped ones are summarised.</summary>
    public const int ListAllUpTo = 30;

    public static Table CoefficientTable(LinearModel model, string title)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(title);
        table.AddColumn("feature");
        table.AddColumn(new TableColumn("coefficient").RightAligned());
        table.AddColumn("");
        if (model.FitIntercept) table.AddRow("(intercept)", Number(model.Intercept), "[grey]not penalized[/]");
        // With many features the dropped ones are summarised, not listed one per row.
        bool summarise = model.FeatureNames.Count > ListAllUpTo;
        var dropped = new List<string>();
        for (int j = 0; j < model.FeatureNames.Count; j++)
        {
            double b = model.Coefficients[j];
            if (summarise && b == 0) { dropped.Add(model.FeatureNames[j]); continue; }
            table.AddRow(Markup.Escape(model.FeatureNames[j]), Number(b), b == 0 && model.Penalty != Penalty.Ols ? "[yellow]dropped (exactly 0)[/]" : "");
        }
        if (dropped.Count > 0)
        {
            string names = string.Join(", ", dropped.Take(8)) + (dropped.Count > 8 ? $", ... ({dropped.Count - 8} more)" : "");
            table.AddRow($"[yellow]{dropped.Count} dropped[/]", "0", $"[yellow]{Markup.Escape(names)}[/]");
        }
        return table;
    }

    public static string Summary(LinearModel model, long n, int p)
    {
        var d = model.Diagnostics;
        string penalty = model.Penalty switch
        {
            Penalty.Ols => "ols (no penalty)",
            Penalty.ElasticNet => $"elasticnet, λ = {Short(model.Lambda)}, l1-ratio {Short(model.L1Ratio)}",
            _ => $"{Names.Of(model.Penalty)}, λ = {Short(model.Lambda)}",
        };
        string convention = model.Convention == Convention.Shrink ? "" : $" ({Names.Of(model.Convention)} convention; shrink λ = {Short(model.CanonicalLambda)}, r = {Short(model.CanonicalL1Ratio)})";
        string intercept = model.FitIntercept ? "with intercept" : "no intercept";
        // Standardization only changes how a penalty weighs the features; least squares does not depend on it.
        string scaling = model.Penalty == Penalty.Ols ? intercept : $"{(model.Standardize ? "standardized" : "not standardized")}, {intercept}";
        return $"{penalty}{convention}; {scaling}\n" +
               $"n = {n}, p = {p}, non-zero {model.NonZeroCount}\n" +
               $"objective {Short(d.Objective)}, duality gap {d.DualityGap:0.##e+0} ({d.Solver}, {d.Iterations} {(d.Iterations == 1 ? "iteration" : "iterations")}, {(d.Converged ? "converged" : "NOT converged")})";
    }

    public static string NotConverged(LinearModel model)
    {
        var d = model.Diagnostics;
        return $"shrink: warning: did not converge after {d.Iterations} {(d.Iterations == 1 ? "iteration" : "iterations")}: duality gap {d.DualityGap:0.###e+0} is above the tolerance {d.GapTolerance:0.###e+0} (= {Short(d.Tolerance)} x the objective at b = 0); the coefficients are usable but not optimal: raise --max-iterations or loosen --tolerance";
    }

    public static void WriteJson(TextWriter writer, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        writer.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    public static void WriteArray(Utf8JsonWriter w, string name, IReadOnlyList<double> values)
    {
        w.WriteStartArray(name);
        foreach (double v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    /// <summary>The fields every command reports for a fitted model.</summary>
    public static void WriteModelFields(Utf8JsonWriter w, LinearModel model)
    {
        var d = model.Diagnostics;
        w.WriteString("penalty", Names.Of(model.Penalty));
        w.WriteNumber("lambda", model.Lambda);
        w.WriteNumber("l1_ratio", model.L1Ratio);
        w.WriteString("convention", Names.Of(model.Convention));
        w.WriteBoolean("fit_intercept", model.FitIntercept);
        w.WriteBoolean("standardize", model.Standardize);
        w.WriteNumber("intercept", model.Intercept);
        w.WriteStartObject("coefficients");
        for (int j = 0; j < model.FeatureNames.Count; j++) w.WriteNumber(model.FeatureNames[j], model.Coefficients[j]);
        w.WriteEndObject();
        w.WriteNumber("objective", d.Objective);
        w.WriteNumber("duality_gap", d.DualityGap);
        w.WriteNumber("iterations", d.Iterations);
        w.WriteBoolean("converged", d.Converged);
    }
}
