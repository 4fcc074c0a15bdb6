using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>
    /// RoIAlign (aligned = true) from <c>affine_grid</c> + <c>grid_sample</c>, since TorchVision 0.107 has no roi_align.
    /// Each RoI is cut into output × output bins with samplingRatio × samplingRatio bilinear samples per bin, averaged.
    /// All RoIs of one image are sampled by ONE grid_sample call (their grids stacked along the height axis).
    /// Differences from torchvision's kernel: samples further than one feature pixel outside the map take the border
    /// value here (padding "border") where torchvision uses 0; the sampling ratio is fixed rather than adaptive.
    /// </summary>
    internal static class RoiAlign
    {
        /// <summary>
        /// Pools <paramref name="boxes"/> [R, 4] (xyxy, image coordinates) from <paramref name="features"/> [B, C, H, W].
        /// <paramref name="roisPerImage"/>[b] RoIs belong to image b, in order (a host-side count, so no device sync).
        /// </summary>
        /// <returns>[R, C, output, output].</returns>
        public static Tensor roi_align(Tensor features, Tensor boxes, long[] roisPerImage, double spatialScale,
            int outputSize = 7, int samplingRatio = 2)
        {
            using var scope = NewDisposeScope();
            long channels = features.shape[1], height = features.shape[2], width = features.shape[3];
            long roiCount = boxes.shape[0];
            int samples = outputSize * samplingRatio;

            // Sample point j of a RoI (0 ≤ j < n, n = output·ratio) sits at x = x1 + (j + ½)·w/n in image coordinates,
            // x·s − ½ in feature-pixel coordinates (aligned), i.e. (2·x·s)/W − 1 in grid_sample's normalized coordinates
            // (align_corners = false). affine_grid's base grid is u_j = (2j + 1)/n − 1, so x_norm = (w·s/W)·u + (2·cx·s/W − 1).
            using var two = 2.0.ToScalar();
            using var one = 1.0.ToScalar();
            using var scaleX = (spatialScale / width).ToScalar();
            using var scaleY = (spatialScale / height).ToScalar();
            var (cx, cy, w, h) = BoxOps.CenterSize(boxes);
            var zeros = torch.zeros(roiCount, dtype: boxes.dtype, device: boxes.device);
            var rowX = stack([w.mul(scaleX), zeros, cx.mul(scaleX).mul(two).sub(one)], 1);
            var rowY = stack([zeros, h.mul(scaleY), cy.mul(scaleY).mul(two).sub(one)], 1);
            var theta = stack([rowX, rowY], 1);                                                // [R, 2, 3]
            var grid = nn.functional.affine_grid(theta, [roiCount, 1, samples, samples], align_corners: false); // [R, n, n, 2]

            if (roisPerImage.Sum() != roiCount)
                throw new ArgumentException($"roisPerImage sums to {roisPerImage.Sum()}, but there are {roiCount} boxes.", nameof(roisPerImage));
            var pooled = new Tensor[roisPerImage.Length];
            long start = 0;
            int parts = 0;
            for (int b = 0; b < roisPerImage.Length; b++)
            {
                long k = roisPerImage[b];
                if (k == 0) continue;
                var imageGrid = grid.narrow(0, start, k).reshape(1, k * samples, samples, 2);
                var sampled = nn.functional.grid_sample(features.narrow(0, b, 1), imageGrid,
                    GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);   // [1, C, k·n, n]
                pooled[parts++] = sampled.reshape(channels, k, outputSize, samplingRatio, outputSize, samplingRatio)
                    .mean([3, 5]).permute(1, 0, 2, 3);                                          // [k, C, out, out]
                start += k;
            }
            var result = parts == 0
                ? torch.zeros([0, channels, outputSize, outputSize], dtype: features.dtype, device: features.device)
                : cat(pooled[..parts], 0);
            return result.contiguous().MoveToOuterDisposeScope();
        }
    }
}
