using System;

namespace BoxRegression
{
    /// <summary>An axis-aligned box in image pixel coordinates, (x1, y1) top left and (x2, y2) bottom right (torchvision's xyxy).</summary>
    internal readonly record struct Box(float X1, float Y1, float X2, float Y2)
    {
        public float Width => X2 - X1;
        public float Height => Y2 - Y1;
        public float CenterX => 0.5f * (X1 + X2);
        public float CenterY => 0.5f * (Y1 + Y2);

        /// <summary>The box with the given centre and size.</summary>
        public static Box FromCenter(double cx, double cy, double w, double h)
            => new((float)(cx - 0.5 * w), (float)(cy - 0.5 * h), (float)(cx + 0.5 * w), (float)(cy + 0.5 * h));

        /// <summary>The box clipped to a square image of side <paramref name="size"/>.</summary>
        public Box ClipTo(int size)
            => new(Math.Clamp(X1, 0, size), Math.Clamp(Y1, 0, size), Math.Clamp(X2, 0, size), Math.Clamp(Y2, 0, size));

        /// <summary>Intersection over union of two boxes (a scalar helper for data generation only; tensors use torchvision's box_iou).</summary>
        public static double Iou(Box a, Box b)
        {
            double iw = Math.Max(0, Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1));
            double ih = Math.Max(0, Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1));
            double inter = iw * ih;
            double union = (double)a.Width * a.Height + (double)b.Width * b.Height - inter;
            return union > 0 ? inter / union : 0;
        }

        public float[] ToArray() => [X1, Y1, X2, Y2];
    }
}
