using Xunit;

namespace Shrink.Tests;

/// <summary>Every case of every fixture: Shrink's fit against scikit-learn's or glmnet's, on the same data and options.</summary>
public class ReferenceTests
{
    /// <summary>Coefficients agree to this fraction of the largest |b| of the reference.</summary>
    private const double CoefficientTolerance = 1e-6;
    /// <summary>Objectives agree to this relative difference.</summary>
    private const double ObjectiveTolerance = 1e-9;
    /// <summary>The duality-gap tolerance the fits are run at.</summary>
    private const double SolverTolerance = 1e-13;
    /// <summary>KKT violations (standardized scale, relative to the scale of y) of Shrink's own solution.</summary>
    private const double KktTolerance = 1e-6;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in Fixture.Names)
        {
            var fixture = Fixture.Load(name);
            foreach (var c in fixture.Cases) data.Add(name, c.Id);
        }
        return data;
    }

    [Fact]
    public void Fixtures_cover_what_the_issue_asks_for()
    {
        var fixtures = Fixture.Names.Select(Fixture.Load).ToList();
        Assert.True(fixtures.Count >= 6, $"only {fixtures.Count} fixture files");
        Assert.Contains(fixtures, f => f.Name == "diabetes");
        Assert.Contains(fixtures, f => f.X[0].Length > f.X.Length);
        Assert.Contains(fixtures, f => f.HasConstantColumn);
        var cases = fixtures.SelectMany(f => f.Cases).ToList();
        foreach (var penalty in Enum.GetValues<Penalty>()) Assert.Contains(cases, c => c.Penalty == penalty);
        foreach (var source in new[] { "sklearn", "glmnet" }) Assert.Contains(cases, c => c.Source == source);
        foreach (var convention in new[] { Convention.Shrink, Convention.Sklearn, Convention.Glmnet }) Assert.Contains(cases, c => c.Convention == convention);
        foreach (bool b in new[] { true, false })
        {
            Assert.Contains(cases, c => c.FitIntercept == b);
            Assert.Contains(cases, c => c.Standardize == b);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_reference(string fixtureName, string caseId)
    {
        var fixture = Fixture.Load(fixtureName);
        var c = fixture.Cases.Single(k => k.Id == caseId);
        var model = Regression.Fit(fixture.Dataset, c.Options(SolverTolerance));

        
        // Both solutions scored by the same independent objective in the canonical convention.
        double ours = Certificates.Objective(fixture.X, fixture.Y, model.Intercept, model.Coefficients, model.CanonicalLambda, model.CanonicalL1Ratio, c.Standardize);
        double theirs = Certificates.Objective(fixture.X, fixture.Y, c.Intercept, c.Coefficients, model.CanonicalLambda, model.CanonicalL1Ratio, c.Standardize);
        Assert.True(Math.Abs(ours - theirs) <= ObjectiveTolerance * Math.Abs(theirs), $"objective: shrink {ours:R}, {c.Source} {theirs:R}");
        Assert.True(ours <= theirs * (1 + 1e-12), $"shrink's objective {ours:R} is worse than {c.Source}'s {theirs:R}");

        double scale = Math.Max(c.Coefficients.Max(Math.Abs), 1e-12);
        for (int j = 0; j < c.Coefficients.Length; j++)
        {
            double diff = Math.Abs(model.Coefficients[j] - c.Coefficients[j]);
            Assert.True(diff <= CoefficientTolerance * scale,
                $"{fixture.FeatureNames[j]}: shrink {model.Coefficients[j]:R}, {c.Source} {c.Coefficients[j]:R} (diff {diff / scale:E2} of max |b|)"
                + $" gaps ours {Certificates.DualityGap(fixture.X, fixture.Y, model.Intercept, model.Coefficients, model.CanonicalLambda, model.CanonicalL1Ratio, c.Standardize, c.FitIntercept):E2}"
                + $" theirs {Certificates.DualityGap(fixture.X, fixture.Y, c.Intercept, c.Coefficients, model.CanonicalLambda, model.CanonicalL1Ratio, c.Standardize, c.FitIntercept):E2}"
                + $" kkt ours {Certificates.KktViolation(fixture.X, fixture.Y, model.Intercept, model.Coefficients, model.CanonicalLambda, model.CanonicalL1Ratio, c.Standardize, c.FitIntercept):E2}"
                + $" theirs {Certificates.KktViolation(fixture.X, fixture.Y, c.Intercept, c.Coefficients, model.CanonicalLambda, model.CanonicalL1Ratio, c.Standardize, c.FitIntercept):E2}");
        }
        double interceptScale = Math.Max(Math.Abs(c.Intercept), scale * fixture.X.SelectMany(r => r).Max(Math.Abs));
        Assert.True(Math.Abs(model.Intercept - c.Intercept) <= CoefficientTolerance * interceptScale,
            $"intercept: shrink {model.Intercept:R}, {c.Source} {c.Intercept:R}");

        Assert.True(model.Diagnostics.Converged, $"did not converge: gap {model.Diagnostics.DualityGap}");
        if (c.Penalty != Penalty.Ols)
        {
            double kkt = Certificates.KktViolation(fixture.X, fixture.Y, model.Intercept, model.Coefficients, model.CanonicalLambda, model.CanonicalL1Ratio, c.Standardize, c.FitIntercept);
            Assert.True(kkt <= KktTolerance, $"KKT violation {kkt:E2}");
        }
    }
}
