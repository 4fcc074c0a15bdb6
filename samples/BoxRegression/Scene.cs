namespace BoxRegression
{
    /// <summary>The kinds of shape drawn; the class label of a shape is its kind's value (0 is background).</summary>
    internal enum ShapeKind
    {
        Rectangle = 1,
        Ellipse = 2,
        Triangle = 3,
    }

    /// <summary>
    /// One generated image with its objects: <see cref="Pixels"/> is RGB in [0, 1] (plus noise), channel-major (3 × size × size);
    /// <see cref="Boxes"/> are the true tight boxes and <see cref="Classes"/> their labels (1..3).
    /// </summary>
    internal sealed record Scene(int Size, float[] Pixels, Box[] Boxes, int[] Classes)
    {
        /// <summary>The number of foreground classes.</summary>
        public const int ClassCount = 3;
    }
}
