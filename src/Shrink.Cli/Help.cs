namespace Shrink.Cli;

internal static class Help
{
    public const string Main = """
        shrink: regularized linear regression (lasso, ridge, elastic net, OLS)

        Usage:
          shrink demo [--json] [--out DIR]             the student-score example
          shrink fit DATA --target COL [options]       fit one model on a CSV/TSV file (or LIBSVM)
          shrink path DATA --target COL [options]      fit a whole regularization path
          shrink cv DATA --target COL [options]        choose λ by cross-validation and refit
          shrink predict MODEL.json DATA [--output F]  predictions for new data, as CSV
          shrink stats DATA --target COL --out F       one streaming pass: the data's sufficient statistics
          shrink fit|path|cv --stats F1 F2 ...         fit from statistics files (parts merged exactly)
          shrink COMMAND --help                        options of a command

        Objective: 1/(2n)·‖y − b0 − Xb‖² + λ·(r·‖Db‖₁ + (1 − r)/2·‖Db‖²), D = column standard deviations.
        Several targets: --target y1,y2,... (one fit per target), --multi-task (features chosen jointly:
        1/(2n)·‖Y − 1b0ᵀ − XB‖² + λ·(r·Σ_j d_j‖B_j‖₂ + (1 − r)/2·‖DB‖²), B_j the row of feature j).
        LIBSVM files (.svm, .libsvm, or --format libsvm) are read as sparse data: the label is the target
        (no --target), features are named by index (1, 2, ...).
        Exit codes: 0 success, 2 bad input or options, 1 internal error. --verbose shows stack traces.

        """;

    public const string Fit = $"""
        shrink fit DATA --target COL [options]

        Data:
          --target COL             column to predict (required); several, y1,y2,..., fit one model per target
          --multi-task             with several targets: the multi-task lasso, which keeps or drops each
                                   feature for all targets together (lasso or elasticnet only)
          --features a,b,c         use only these columns as features (default: all others)
          --exclude a,b            use all other columns except these
          --drop-missing           skip rows with empty, NA or NaN cells (default: error)
          --format csv|libsvm      how to read DATA (default: libsvm for .svm/.libsvm, else csv); a LIBSVM
                                   file is sparse, its label is the target and its features are named 1, 2, ...
        Model:
          --penalty P              lasso (default) | ridge | elasticnet | ols
          --lambda X               penalty strength λ ≥ 0 (required unless ols; 0 means OLS)
          --l1-ratio R             elastic-net mix r in [0, 1] (default 0.5; implies elasticnet)
          --convention C           what λ means: shrink (default) | sklearn | glmnet | article
          --no-intercept           fit without an intercept
          --no-standardize         penalize coefficients on the data's own scale
          --tolerance T            relative duality-gap tolerance in (0, 1) (default 1e-7)
          --max-iterations K       coordinate-descent sweeps (default 100000)
        Controls:
          --weights COL            observation weights (≥ 0; rescaled to sum to n, as glmnet); not a feature
          --offset COL             a known part of the prediction, not fitted; not a feature
          --penalty-factor F       per-feature factors: name=f,... or a two-column CSV file (name,factor);
                                   0 = unpenalized, inf = excluded; rescaled to sum to p (as glmnet)
          --lower name=v,...       lower bounds (each ≤ 0) on the original scale; --upper likewise (each ≥ 0)
          --positive               every coefficient ≥ 0
          --relax [--gamma G]      relaxed lasso: refit the selected features by least squares and blend,
                                   G·penalized + (1 − G)·refit (default G = 0, the refit)
          --adaptive               adaptive lasso: factors 1/|b|^ν from an initial fit; --nu V (default 1),
                                   --adaptive-initial auto|ols|ridge, --initial-lambda L (default: by LOO)
        Output:
          --json                   one JSON object instead of the table
          --save MODEL.json        write the model file (for 'shrink predict')
          --plot FILE.png|.svg     predicted against actual on the training rows (in memory only)
        {Larger}

        """;

    /// <summary>The larger-than-memory options of fit, path and cv.</summary>
    private const string Larger = """
        Larger than memory:
          --streaming              one pass over DATA gathers its sufficient statistics (memory O(p²) whatever
                                   the rows) and the fit runs from them; cv gathers each fold's in the same pass
                                   (hashed folds from --folds/--seed, or --fold-column)
          --memory-budget SIZE     stream automatically when the data would take more memory than SIZE
                                   (2GB, 512MB, ...; default half the memory available); the output says which.
                                   Parquet files (.parquet) are always streamed
          --stats F1 F2 ...        fit from statistics files written by 'shrink stats' instead of DATA (merged;
                                   the target, features, weights, offset and folds are theirs)
        """;

    private const string Grid = """
        Grid:
          --n-lambda K             number of λ values (default 100), from λmax down to
          --lambda-min-ratio E     E·λmax (default 1e-4 when n > p, else 1e-2), log-spaced
          --lambdas v1,v2,...      an explicit grid instead (strictly decreasing)
          --max-features K         stop at the first λ with more than K non-zero coefficients (glmnet's dfmax)
          (plus --target, --multi-task, --features, --exclude, --drop-missing, the model options, the
          controls and the larger-than-memory options (--streaming, --memory-budget, --stats) of
          'shrink fit --help')
        """;

    public const string PathHelp = $"""
        shrink path DATA --target COL [options]

        {Grid}
        Output:
          --json                   every λ: lambdas, intercepts, coefficients, nnz, r2, objectives, duality_gaps,
                                   iterations, df, aic, bic, timing
          --plot FILE.png|.svg     coefficient paths against log λ

        """;

    public const string CvHelp = $"""
        shrink cv DATA --target COL [options]

        {Grid}
        Cross-validation:
          --folds K|loo            K folds (default 10), or exact leave-one-out (ridge only)
          --seed S                 seed of the random fold assignment (default 1)
          --fold-column COL        your own folds (whole numbers; not a feature)
          --measure mse|mae        error measure (default mse)
          --choose min|1se         λmin, or the largest λ within one SE of it (default 1se)
          --l1-ratios r1,r2,...    also search the elastic-net mix on the same folds
          --relax [--gamma g1,...] relaxed lasso: search γ with λ (default 0, 0.25, 0.5, 0.75, 1)
        Output:
          --json                   the curve, λmin, λ1se, the choice and the refitted model
          --save MODEL.json        write the chosen model
          --plot FILE.png|.svg     the CV curve with λmin and λ1se

        """;

    public const string Predict = """
        shrink predict MODEL.json DATA [--output FILE] [--offset COL]

          Columns of DATA are matched to the model's features by name; extra columns are ignored,
          a missing one is an error. A LIBSVM file (.svm, .libsvm, --format libsvm) is matched by index
          for a model fitted on one. Writes a CSV with one column, 'prediction', to stdout or FILE;
          a model of several targets gives one column per target, 'prediction_<target>'.
          --offset COL   the new rows' offsets (required for a model fitted with an offset)

        """;

    public const string Demo = """
        shrink demo [--json] [--out DIR]

          Fits OLS, Ridge and Lasso on 40 synthetic students (λ chosen by cross-validation on them) and
          scores them on 5,000 held-out ones: gpa and food carry no signal of their own; see which model
          notices.
          --json    the models and their errors as JSON
          --out DIR where to write the pictures (lasso-vs-ridge.png, lasso-cv.png, predicted-vs-actual.png)
                    and the models (ols.json, ridge.json, lasso.json); default ./shrink-demo

        """;

    public const string Stats = """
        shrink stats DATA --target COL --out FILE.stats [options]

          One streaming pass over a CSV/TSV or Parquet file of any size gathers the sufficient statistics of a linear
          regression (weighted counts, means, centred cross-products of features and target), per fold when
          asked; 'shrink fit|path|cv --stats' fits from them. Statistics of different parts of the data (other
          files, other machines) merge exactly: give all the parts' files to --stats.
          --target COL             column to predict (required)
          --features a,b,c | --exclude a,b   which columns are features (default: all but the others named)
          --weights COL            observation weights (≥ 0)
          --offset COL             offsets, subtracted from the target
          --folds K [--seed S]     also gather K folds, a row's fold a seeded hash of its data line's index
          --fold-column COL        or folds from a column of whole numbers
          --row-offset N           this part's first data line is line N of the whole (so its hashed folds
                                   match the whole file's; default 0)
          --drop-missing           skip rows with empty, NA or NaN cells (default: error)
          --out FILE.stats         where to write (atomically: complete or not at all)
          --json                   a summary as JSON

        shrink stats --merge A.stats B.stats ... --out ALL.stats
          merges statistics files into one (the reduce step of a distributed gathering; merged files merge
          again, in any order)

        """;

    public static string For(string command) => command switch
    {
        "stats" => Stats,
        "fit" => Fit,
        "path" => PathHelp,
        "cv" => CvHelp,
        "predict" => Predict,
        "demo" => Demo,
        _ => throw new ShrinkException($"unknown command '{command}'; the commands are demo, fit, path, cv, predict, stats"),
    };
}
