namespace Shrink.Tests;

/// <summary>Small random regression problems, reproducible from a seed.</summary>
internal static class RandomData
{
    public static (double[][] X, double[] Y) Make(int seed, int n, int p, double noise = 0.5)
    {
        var rng = new Random(seed);
        var x = new double[n][];
        var truth = Enumerable.Range(0, p).Select(j => j % 2 == 0 ? rng.NextDouble() * 4 - 2 : 0).ToArray();
        // Different means and scales per column, so centring and standardization matter.
        var mean = Enumerable.Range(0, p).Select(_ => rng.NextDouble() * 10 - 5).ToArray();
        var scale = Enumerable.Range(0, p).Select(_ => Math.Exp(rng.NextDouble() * 4 - 2)).ToArray();
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = new double[p];
            double f = 3;
            for (int j = 0; j < p; j++)
            {
                x[i][j] = mean[j] + scale[j] * Gaussian(rng);
                f += truth[j] * (x[i][j] - mean[j]) / scale[j];
            }
            y[i] = f + noise * Gaussian(rng);
        }
        return (x, y);
    }

    public static Dataset Dataset(double[][] x, double[] y) => new(FeatureMatrix.FromRows(x), y);

    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
