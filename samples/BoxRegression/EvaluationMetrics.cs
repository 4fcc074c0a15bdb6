namespace BoxRegression
{
    /// <summary>
    /// Box quality on the clean test set. The IoU figures are over the proposals with IoU ≥ 0.5 with a true box, refined
    /// with the deltas of that box's class; scale bias is the mean of ln(ŵ/w) and ln(ĥ/h) (positive: boxes too large).
    /// AP50/AP75 are detection APs over all proposals (class scores, per-class NMS at 0.5).
    /// </summary>
    internal sealed record EvaluationMetrics(
        int ForegroundProposals,
        double MeanIouBefore,
        double MeanIouAfter,
        double IouAtLeast05,
        double IouAtLeast07,
        double IouAtLeast09,
        double ScaleBias,
        double Ap50,
        double Ap75);
}
