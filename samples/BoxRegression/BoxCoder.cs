using System;
using TorchSharp;
using static TorchSharp.torch;

namespace BoxRegression
{
    /// <summary>
    /// Faster R-CNN's box coder (torchvision's <c>BoxCoder</c>): targets are the centre offset in units of the proposal's size and
    /// the log size ratio, times the weights (10, 10, 5, 5), so clean targets have a spread near 1 on every coordinate.
    /// Decoding clamps dw, dh at ln(1000/16) so exp cannot overflow.
    /// </summary>
    internal sealed class BoxCoder(double wx = 10, double wy = 10, double ww = 5, double wh = 5)
    {
        /// <summary>ln(1000/16), torchvision's <c>bbox_xform_clip</c>.</summary>
        public static readonly double ScaleClamp = Math.Log(1000.0 / 16);

        /// <summary>The encoded deltas [N, 4] that move <paramref name="proposals"/> [N, 4] onto <paramref name="targets"/> [N, 4] (xyxy).</summary>
        public Tensor Encode(Tensor targets, Tensor proposals)
        {
            using var scope = NewDisposeScope();
            var (pcx, pcy, pw, ph) = CenterSize(proposals);
            var (tcx, tcy, tw, th) = CenterSize(targets);
            using var sx = wx.ToScalar();
            using var sy = wy.ToScalar();
            using var sw = ww.ToScalar();
            using var sh = wh.ToScalar();
            var dx = tcx.sub(pcx).div(pw).mul(sx);
            var dy = tcy.sub(pcy).div(ph).mul(sy);
            var dw = tw.div(pw).log().mul(sw);
            var dh = th.div(ph).log().mul(sh);
            return stack([dx, dy, dw, dh], 1).MoveToOuterDisposeScope();
        }

        /// <summary>The boxes [N, 4] (xyxy) obtained by applying <paramref name="deltas"/> [N, 4] to <paramref name="proposals"/> [N, 4].</summary>
        public Tensor Decode(Tensor deltas, Tensor proposals)
        {
            using var scope = NewDisposeScope();
            var (pcx, pcy, pw, ph) = CenterSize(proposals);
            using var sx = wx.ToScalar();
            using var sy = wy.ToScalar();
            using var sw = ww.ToScalar();
            using var sh = wh.ToScalar();
            using var clampMax = ScaleClamp.ToScalar();
            using var half = 0.5.ToScalar();
            using var one = 1.0.ToScalar();
            var dx = deltas.select(1, 0).div(sx);
            var dy = deltas.select(1, 1).div(sy);
            var dw = deltas.select(1, 2).div(sw).clamp_max(clampMax);
            var dh = deltas.select(1, 3).div(sh).clamp_max(clampMax);
            var cx = dx.mul(pw).add(pcx, one);
            var cy = dy.mul(ph).add(pcy, one);
            var halfW = dw.exp().mul(pw).mul(half);
            var halfH = dh.exp().mul(ph).mul(half);
            return stack([cx.sub(halfW), cy.sub(halfH), cx.add(halfW, one), cy.add(halfH, one)], 1).MoveToOuterDisposeScope();
        }

        private static (Tensor Cx, Tensor Cy, Tensor W, Tensor H) CenterSize(Tensor xyxy)
        {
            // The arithmetic of torchvision's box_convert (xyxy → cxcywh), with explicit Scalars (see BoxOps).
            return BoxOps.CenterSize(xyxy);
        }
    }
}
