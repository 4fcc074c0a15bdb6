namespace TorchLosses
{
    /// <summary>Which of the two robust losses an internal call computes.</summary>
    internal enum RobustLossKind
    {
        /// <summary>Huber: ½x² for |x| &lt; δ, δ(|x| − ½δ) beyond; gradient clamp(x, −δ, δ).</summary>
        Huber,

        /// <summary>Smooth L1: ½x²/β for |x| &lt; β, |x| − ½β beyond; gradient clamp(x, −β, β)/β, and sign(x) at β = 0.</summary>
        SmoothL1,
    }
}
