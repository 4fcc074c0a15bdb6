namespace BoxRegression
{
    /// <summary>Which boxes decide whether a proposal is foreground (IoU ≥ 0.5) and which object it belongs to.</summary>
    internal enum MatchingMode
    {
        /// <summary>As Faster R-CNN does: IoU with the annotated (possibly corrupted) boxes; the annotated boxes are appended as proposals.</summary>
        Labels,

        /// <summary>IoU with the true boxes (the true boxes are appended as proposals), regression targets still from the
        /// annotated boxes: every matched foreground RoI of a corrupted object carries an outlier target.</summary>
        Oracle,
    }
}
