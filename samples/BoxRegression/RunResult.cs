using System.Collections.Generic;

namespace BoxRegression
{
    /// <summary>What one run produced: its metrics on the clean test set, its training curve, its wall time,
    /// and the refined boxes of the example pictures. <see cref="SharedWith"/> names the run whose numbers it reuses
    /// (at ε = 0 both matching modes are the same training run). <see cref="Settings"/> are the settings it ran with (null for
    /// a record read from a metrics.json without them); <see cref="Learned"/> is AdaptiveRobust's learned α and scale.
    /// A run read back from a results store may lack its curve and picture (empty / null).</summary>
    internal sealed record RunResult(RunSpec Spec, EvaluationMetrics Metrics, double Seconds, List<TrainingPoint> Curve,
        Box[][]? PictureRefined, string? SharedWith = null, TrainingSettings? Settings = null, LearnedLoss? Learned = null);
}
