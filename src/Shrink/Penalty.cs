namespace Shrink;

/// <summary>Which penalty is added to the mean squared error.</summary>
public enum Penalty
{
    /// <summary>No penalty: ordinary least squares.</summary>
    Ols,
    /// <summary>L2 (squared) penalty: coefficients shrink smoothly but stay non-zero. L1 ratio 0.</summary>
    Ridge,
    /// <summary>L1 (absolute value) penalty: weak features get exactly zero. L1 ratio 1.</summary>
    Lasso,
    /// <summary>A mix of L1 and L2, weighted by <see cref="FitOptions.L1Ratio"/>.</summary>
    ElasticNet,
}

/// <summary>
/// What the numbers <see cref="FitOptions.Lambda"/> and <see cref="FitOptions.L1Ratio"/> mean. Every convention
/// is mapped exactly onto Shrink's canonical objective, so the fitted model is the same problem.
/// </summary>
public enum Convention
{
    /// <summary>Shrink's own: 1/(2n)·‖y − b0 − Xb‖² + λ·(r·‖Db‖₁ + (1 − r)/2·‖Db‖²).</summary>
    Shrink,
    /// <summary>scikit-learn: Lasso/ElasticNet alpha = λ (identical); Ridge alpha = n·λ.</summary>
    Sklearn,
    /// <summary>R glmnet(family = "gaussian"), including its internal scaling of y by its standard deviation.</summary>
    Glmnet,
    /// <summary>Textbook form: MSE + λ·(r·mean|Db| + (1 − r)·mean (Db)²), means over the p coefficients.</summary>
    Article,
}
