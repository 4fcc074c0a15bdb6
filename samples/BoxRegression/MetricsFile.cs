using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BoxRegression
{
    /// <summary>
    /// metrics.json: one object per run, with the metrics, the run's settings and (AdaptiveRobust) the learned α and scale per
    /// coordinate. Written atomically (a temporary file renamed over the old one), so an interrupted study never leaves a
    /// half-written file; read back to resume a study. curves.json beside it keeps each run's training curve and refined example
    /// boxes for the charts of a resumed study.
    /// </summary>
    internal static class MetricsFile
    {
        public const string FileName = "metrics.json";
        public const string DetailsFileName = "curves.json";

        private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
        private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

        public static void Write(string path, IEnumerable<RunResult> runs)
        {
            var objects = runs.Select(r =>
            {
                var o = new Dictionary<string, object?>
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
                };
                if (r.Learned is { } learned)
                {
                    o["alpha"] = learned.Alpha;   // per coordinate: dx, dy, dw, dh
                    o["scale"] = learned.Scale;
                }
                if (r.Settings is { } settings) o["settings"] = JsonSerializer.SerializeToNode(settings, SnakeCase);
                return o;
            });
            WriteAtomically(path, JsonSerializer.Serialize(objects, Indented));
        }

        /// <summary>The runs of a metrics.json written by <see cref="Write"/> (curves empty, pictures null); empty when the file does not exist.</summary>
        public static List<RunResult> Read(string path)
        {
            var runs = new List<RunResult>();
            if (!File.Exists(path)) return runs;
            var array = JsonNode.Parse(File.ReadAllText(path))?.AsArray()
                        ?? throw new InvalidDataException($"{path} is not a JSON array of runs.");
            foreach (var node in array)
            {
                var o = node!.AsObject();
                double D(string name) => o[name]!.GetValue<double>();
                var spec = new RunSpec(
                    Enum.Parse<BoxLossKind>(o["loss"]!.GetValue<string>()),
                    D("outlier_fraction"),
                    Enum.Parse<MatchingMode>(o["matching"]!.GetValue<string>(), ignoreCase: true),
                    o["seed"]!.GetValue<int>());
                var metrics = new EvaluationMetrics(o["foreground_proposals"]!.GetValue<int>(), D("mean_iou_before"), D("mean_iou_after"),
                    D("iou_ge_05"), D("iou_ge_07"), D("iou_ge_09"), D("scale_bias"), D("ap50"), D("ap75"));
                var settings = o["settings"] is { } s ? s.Deserialize<TrainingSettings>(SnakeCase) : null;
                var learned = o["alpha"] is { } alpha && o["scale"] is { } scale
                    ? new LearnedLoss(alpha.Deserialize<double[]>()!, scale.Deserialize<double[]>()!)
                    : null;
                runs.Add(new RunResult(spec, metrics, D("seconds"), [], null, o["shared_with"]?.GetValue<string>(), settings, learned));
            }
            return runs;
        }

        /// <summary>Writes curves.json: per run (its file-name description), the training curve and the refined example boxes.</summary>
        public static void WriteDetails(string path, IEnumerable<RunResult> runs)
        {
            var details = new Dictionary<string, RunDetails>();
            foreach (var r in runs.Where(r => r.Curve.Count > 0 || r.PictureRefined is not null))
                details[ExperimentRunner.Describe(r.Spec, fileName: true)] = new RunDetails(r.Curve,
                    r.PictureRefined?.Select(image => image.Select(b => b.ToArray()).ToArray()).ToArray());
            WriteAtomically(path, JsonSerializer.Serialize(details));
        }

        /// <summary>Adds the curves and pictures of curves.json (when it exists) to the runs that lack them.</summary>
        public static List<RunResult> WithDetails(string path, List<RunResult> runs)
        {
            if (!File.Exists(path)) return runs;
            Dictionary<string, RunDetails>? details;
            try
            {
                details = JsonSerializer.Deserialize<Dictionary<string, RunDetails>>(File.ReadAllText(path));
            }
            catch (JsonException)
            {
                return runs;   // only pictures are lost
            }
            if (details is null) return runs;
            return runs.Select(r => details.TryGetValue(ExperimentRunner.Describe(r.Spec, fileName: true), out var d)
                ? r with
                {
                    Curve = r.Curve.Count > 0 ? r.Curve : d.Curve ?? [],
                    PictureRefined = r.PictureRefined ?? d.Picture?.Select(image => image.Select(b => new Box(b[0], b[1], b[2], b[3])).ToArray()).ToArray(),
                }
                : r).ToList();
        }

        private static void WriteAtomically(string path, string text)
        {
            string temporary = path + ".tmp";
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }

        private sealed record RunDetails(List<TrainingPoint>? Curve, float[][][]? Picture);
    }
}
