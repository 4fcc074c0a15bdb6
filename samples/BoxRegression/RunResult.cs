using System.Collections.Generic;

namespace BoxRegression
{
    /// <summary>What one run produced: its metrics on the clean test set, its training curve, its wall time,
    /// and the refined boxes of the example pictures. <see cref="SharedWith"/> names the run whose numbers it reuses
    /// (at ε = 0 both matching modes are the same training run).</summary>
    internal sealed record RunResult(RunSpec Spec, EvaluationMetrics Metrics, double Seconds, List<TrainingPoint> Curve,
        Box[][] PictureRefined, string? SharedWith = null);
}
