using System.Text.Json;
using Xunit;

namespace Shrink.Tests;

/// <summary>
/// scikit-learn's Lasso and ElasticNet on scipy.sparse input (tools/reference/make_sparse_fixtures.py): scikit-learn
/// centres sparse X implicitly when fitting an intercept, as Shrink does, and never standardizes.
/// </summary>
public class SparseReferenceTests
{
    /// <summary>Coefficients and intercept within this fraction of the largest |b| of the reference.</summary>
    private const double CoefficientTolerance = 1e-6;

    private sealed record Case(string Id, Penalty Penalty, double Alpha, double L1Ratio, bool FitIntercept, double[]? Weights, double[] Coef, double Intercept);

    private sealed record Set(string Name, FeatureMatrix X, double[] Y, Case[] Cases);

    private static readonly Lazy<Set[]> Sets = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "SparseFixtures", "sparse_sklearn.json")));
        static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();
        return doc.RootElement.GetProperty("sets").EnumerateArray().Select(s => new Set(
            s.GetProperty("name").GetString()!,
            FeatureMatrix.FromCsc(Ints(s.GetProperty("indptr")), Ints(s.GetProperty("indices")), Doubles(s.GetProperty("data")), s.GetProperty("n").GetInt32(), s.GetProperty("p").GetInt32()),
            Doubles(s.GetProperty("y")),
            s.GetProperty("cases").EnumerateArray().Select(c => new Case(
                c.GetProperty("id").GetString()!,
                c.GetProperty("estimator").GetString() == "lasso" ? Penalty.Lasso : Penalty.ElasticNet,
                c.GetProperty("alpha").GetDouble(), c.GetProperty("l1_ratio").GetDouble(), c.GetProperty("fit_intercept").GetBoolean(),
                c.GetProperty("sample_weight").ValueKind == JsonValueKind.Null ? null : Doubles(c.GetProperty("sample_weight")),
                Doubles(c.GetProperty("coef")), c.GetProperty("intercept").GetDouble())).ToArray())).ToArray();
    });

    public static TheoryData<string> CaseIds()
    {
        var data = new TheoryData<string>();
        foreach (var set in Sets.Value)
            foreach (var c in set.Cases) data.Add(c.Id);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Matches_scikit_learn_on_sparse_input(string id)
    {
        var set = Sets.Value.Single(s => s.Cases.Any(c => c.Id == id));
        var c = set.Cases.Single(k => k.Id == id);
        Assert.True(set.X.IsSparse);
        var options = new FitOptions
        {
            Penalty = c.Penalty, Lambda = c.Alpha, L1Ratio = c.Penalty == Penalty.ElasticNet ? c.L1Ratio : null,
            Convention = Convention.Sklearn, FitIntercept = c.FitIntercept, Standardize = false, Tolerance = 1e-13,
        };
        var sparse = Regression.Fit(new Dataset(set.X, set.Y, weights: c.Weights), options);
        var dense = Regression.Fit(new Dataset(set.X.ToDense(), set.Y, weights: c.Weights), options);
        double scale = Math.Max(c.Coef.Max(Math.Abs), 1e-12);
        for (int j = 0; j < c.Coef.Length; j++)
        {
            Assert.True(Math.Abs(sparse.Coefficients[j] - c.Coef[j]) <= CoefficientTolerance * scale, $"{id} b{j}: {sparse.Coefficients[j]:R} vs scikit-learn {c.Coef[j]:R}");
            Assert.True(Math.Abs(sparse.Coefficients[j] - dense.Coefficients[j]) <= 1e-9 * scale, $"{id} b{j}: sparse {sparse.Coefficients[j]:R} vs dense {dense.Coefficients[j]:R}");
        }
        Assert.True(Math.Abs(sparse.Intercept - c.Intercept) <= CoefficientTolerance * Math.Max(scale, Math.Abs(c.Intercept)), $"{id} intercept {sparse.Intercept:R} vs {c.Intercept:R}");
        Assert.True(sparse.Diagnostics.Converged);
    }

    [Fact]
    public void Every_fixture_set_is_covered() => Assert.Equal(48, Sets.Value.Sum(s => s.Cases.Length));
}
