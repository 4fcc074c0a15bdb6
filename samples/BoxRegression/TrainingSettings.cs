namespace BoxRegression
{
    /// <summary>The size of a training run and of the data it uses.</summary>
    internal sealed record TrainingSettings(
        int Steps,
        int ImagesPerBatch,
        int RoisPerImage,
        int TrainImages,
        int TestImages,
        double LearningRate = 1e-3,
        int ProposalsPerObject = 8,
        int BackgroundProposals = 16,
        double LossParameterLearningRate = 1e-2)
    {
        // LossParameterLearningRate: Adam's learning rate for a loss's own parameters (AdaptiveRobust's latent α and scale).
        // Adam moves a parameter by at most about its learning rate per step, so at the model's 1e-3 the latents could move by
        // 0.6 in 600 steps (α within about 0.7–1.3 from its start at 1); at 1e-2 they can reach the whole range.

        /// <summary>About 1.5 minutes on two CPU cores for two runs (measured 95 s).</summary>
        public static TrainingSettings Default => new(Steps: 600, ImagesPerBatch: 8, RoisPerImage: 64, TrainImages: 1000, TestImages: 200);

        /// <summary>Under a minute: a smoke test.</summary>
        public static TrainingSettings Quick => new(Steps: 60, ImagesPerBatch: 4, RoisPerImage: 32, TrainImages: 100, TestImages: 40);

        /// <summary>The outlier experiment: per loss and seed 5 distinct runs (ε = 0 is shared by both matching modes), each three quarters of a default run.</summary>
        public static TrainingSettings Experiment => new(Steps: 600, ImagesPerBatch: 6, RoisPerImage: 64, TrainImages: 1000, TestImages: 150);
    }

    /// <summary>One training run: which loss, how many training boxes are corrupted, how proposals are matched, which seed.</summary>
    internal sealed record RunSpec(BoxLossKind Loss, double OutlierFraction, MatchingMode Matching, int Seed);
}
