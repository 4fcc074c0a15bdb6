using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace BoxRegression
{
    /// <summary>Writes metrics.json: one object per run.</summary>
    internal static class MetricsFile
    {
        public static void Write(string path, IEnumerable<RunResult> runs)
        {
            var objects = runs.Select(r => new Dictionary<string, object?>
            {
                ["loss"] = r.Spec.Loss.ToString(),
                ["outlier_fraction"] = r.Spec.OutlierFraction,
                ["matching"] = r.Spec.Matching.ToString().ToLowerInvariant(),
                ["seed"] = r.Spec.Seed,
                ["foreground_proposals"] = r.Metrics.ForegroundProposals,
                ["mean_iou_before"] = r.Metrics.MeanIouBefore,
                ["mean_iou_after"] = r.Metrics.MeanIouAfter,
                ["iou_ge_05"] = r.Metrics.IouAtLeast05,
                ["iou_ge_07"] = r.Metrics.IouAtLeast07,
                ["iou_ge_09"] = r.Metrics.IouAtLeast09,
                ["scale_bias"] = r.Metrics.ScaleBias,
                ["ap50"] = r.Metrics.Ap50,
                ["ap75"] = r.Metrics.Ap75,
                ["seconds"] = r.Seconds,
                ["shared_with"] = r.SharedWith,
            });
            File.WriteAllText(path, JsonSerializer.Serialize(objects, new JsonSerializerOptions { WriteIndented = true }));
        }
    }
}
