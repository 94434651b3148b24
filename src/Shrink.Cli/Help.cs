namespace Shrink.Cli;

internal static class Help
{
    public const string Main = """
        shrink: regularized linear regression (lasso, ridge, elastic net, OLS)

        Usage:
          shrink demo [--json] [--out DIR]             the student-score example
          shrink fit DATA --target COL [options]       fit one model on a CSV/TSV file
          shrink predict MODEL.json DATA [--output F]  predictions for new data, as CSV
          shrink COMMAND --help                        options of a command

        Objective: 1/(2n)·‖y − b0 − Xb‖² + λ·(r·‖Db‖₁ + (1 − r)/2·‖Db‖²), D = column standard deviations.
        Exit codes: 0 success, 2 bad input or options, 1 internal error. --verbose shows stack traces.

        """;

    public const string Fit = """
        shrink fit DATA --target COL [options]

        Data:
          --target COL             column to predict (required)
          --features a,b,c         use only these columns as features (default: all others)
          --exclude a,b            use all other columns except these
          --drop-missing           skip rows with empty, NA or NaN cells (default: error)
        Model:
          --penalty P              lasso (default) | ridge | elasticnet | ols
          --lambda X               penalty strength λ ≥ 0 (required unless ols; 0 means OLS)
          --l1-ratio R             elastic-net mix r in [0, 1] (default 0.5; implies elasticnet)
          --convention C           what λ means: shrink (default) | sklearn | glmnet | article
          --no-intercept           fit without an intercept
          --no-standardize         penalize coefficients on the data's own scale
          --tolerance T            relative duality-gap tolerance in (0, 1) (default 1e-7)
          --max-iterations K       coordinate-descent sweeps (default 100000)
        Output:
          --json                   one JSON object instead of the table
          --save MODEL.json        write the model file (for 'shrink predict')

        """;

    public const string Predict = """
        shrink predict MODEL.json DATA [--output FILE]

          Columns of DATA are matched to the model's features by name; extra columns are ignored,
          a missing one is an error. Writes a CSV with one column, 'prediction', to stdout or FILE.

        """;

    public const string Demo = """
        shrink demo [--json] [--out DIR]

          Fits OLS, Ridge and Lasso on 40 synthetic students and scores them on 5,000 held-out ones:
          gpa and food carry no signal of their own; see which model notices.
          --json    the models and their errors as JSON
          --out DIR write ols.json, ridge.json and lasso.json model files into DIR

        """;

    public static string For(string command) => command switch
    {
        "fit" => Fit,
        "predict" => Predict,
        "demo" => Demo,
        _ => throw new ShrinkException($"unknown command '{command}'; the commands are demo, fit, predict"),
    };
}
