namespace Shrink.Cli;

/// <summary>The model options shared by the commands that fit: turned into a <see cref="FitOptions"/>.</summary>
internal static class ModelOptions
{
    public static readonly string[] Values = ["penalty", "lambda", "l1-ratio", "convention", "tolerance", "max-iterations"];
    public static readonly string[] Switches = ["no-intercept", "no-standardize"];

    public static FitOptions From(Arguments a)
    {
        double? l1Ratio = a.Number("l1-ratio", "in [0, 1]");
        var penalty = a.Text("penalty") is { } p ? Names.ParsePenalty(p) : l1Ratio is null ? Penalty.Lasso : Penalty.ElasticNet;
        double? lambda = a.Number("lambda", "≥ 0");
        if (penalty == Penalty.Ols && lambda is > 0)
            throw new ShrinkException($"penalty ols has no λ; got '--lambda {a.Text("lambda")}' (use ridge, lasso or elasticnet)");
        var options = new FitOptions
        {
            Penalty = penalty,
            Lambda = lambda,
            L1Ratio = l1Ratio,
            Convention = a.Text("convention") is { } c ? Names.ParseConvention(c) : Convention.Shrink,
            FitIntercept = !a.Has("no-intercept"),
            Standardize = !a.Has("no-standardize"),
        };
        if (a.Number("tolerance", "in (0, 1)") is { } tol) options = options with { Tolerance = tol };
        if (a.Integer("max-iterations", "≥ 1") is { } max) options = options with { MaxIterations = max };
        return options;
    }
}

/// <summary>The λ-grid options shared by <c>path</c> and <c>cv</c>.</summary>
internal static class GridOptions
{
    public static readonly string[] Values = ["n-lambda", "lambda-min-ratio", "lambdas", "max-features"];

    public static PathOptions From(Arguments a, FitOptions fit)
    {
        if (a.Text("lambda") is not null)
            throw new ShrinkException("'--lambda' fits one λ; a path takes '--lambdas v1,v2,...' or the automatic grid ('--n-lambda', '--lambda-min-ratio')");
        var options = new PathOptions { Fit = fit };
        if (a.Integer("n-lambda", "in [1, 10000]") is { } count) options = options with { LambdaCount = count };
        if (a.Number("lambda-min-ratio", "in (0, 1)") is { } ratio) options = options with { LambdaMinRatio = ratio };
        if (a.Integer("max-features", "≥ 0") is { } max) options = options with { MaxFeatures = max };
        if (a.NumberList("lambdas", "≥ 0") is { } lambdas)
        {
            if (a.Text("n-lambda") is not null || a.Text("lambda-min-ratio") is not null)
                throw new ShrinkException("'--lambdas' gives the grid explicitly; it cannot be combined with '--n-lambda' or '--lambda-min-ratio'");
            options = options with { Lambdas = lambdas };
        }
        return options;
    }
}
