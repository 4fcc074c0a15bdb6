namespace RobustRegression
{
    /// <summary>
    /// Brownlee's stack-loss plant data: 21 days of operation of a plant oxidising ammonia to nitric acid.
    /// Source: K. A. Brownlee (1965), <i>Statistical Theory and Methodology in Science and Engineering</i>, 2nd ed.,
    /// Wiley, New York; as published in R's <c>datasets::stackloss</c>
    /// (src/library/datasets/data/stackloss.R) and, identically, in statsmodels' <c>datasets.stackloss</c> and
    /// LinRegOutliers.jl's <c>stackloss</c>. Public domain.
    /// </summary>
    internal static class StackLoss
    {
        /// <summary>The regressors' names, as R names the columns.</summary>
        public static readonly string[] RegressorNames = ["Air.Flow", "Water.Temp", "Acid.Conc."];

        /// <summary>Rate of operation of the plant (flow of cooling air).</summary>
        public static readonly double[] AirFlow = [80, 80, 75, 62, 62, 62, 62, 62, 58, 58, 58, 58, 58, 58, 50, 50, 50, 50, 50, 56, 70];

        /// <summary>Cooling water inlet temperature (°C).</summary>
        public static readonly double[] WaterTemp = [27, 27, 25, 24, 22, 23, 24, 24, 23, 18, 18, 17, 18, 19, 18, 18, 19, 19, 20, 20, 20];

        /// <summary>Acid concentration: (percent − 50) × 10.</summary>
        public static readonly double[] AcidConc = [89, 88, 90, 87, 87, 87, 93, 93, 87, 80, 89, 88, 82, 93, 89, 86, 72, 79, 80, 82, 91];

        /// <summary>The response: 10 × the percentage of the ingoing ammonia that escapes unabsorbed.</summary>
        public static readonly double[] Loss = [42, 37, 37, 28, 18, 18, 19, 20, 15, 14, 14, 13, 11, 12, 8, 7, 8, 8, 9, 15, 15];

        /// <summary>Number of observations (21).</summary>
        public static int Count => Loss.Length;

        /// <summary>Row i of the design matrix: 1 (the intercept), Air.Flow, Water.Temp, Acid.Conc.</summary>
        public static double[] DesignRow(int i) => [1.0, AirFlow[i], WaterTemp[i], AcidConc[i]];
    }
}
