using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace RobustRegression
{
    /// <summary>
    /// results.json: <c>{"dataset": "stackloss", "fits": [{"method", "intercept", "coefficients": [3], "scale"}, …]}</c>,
    /// plus "alpha" for the adaptive fit. Numbers are written to round-trip exactly.
    /// </summary>
    internal static class ResultsFile
    {
        public static void Write(string path, IReadOnlyList<RegressionFit> fits)
        {
            using var stream = File.Create(path);
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("dataset", "stackloss");
            json.WriteStartArray("fits");
            foreach (var fit in fits)
            {
                json.WriteStartObject();
                json.WriteString("method", fit.Method);
                json.WriteNumber("intercept", fit.Intercept);
                json.WriteStartArray("coefficients");
                foreach (double c in fit.Coefficients) json.WriteNumberValue(c);
                json.WriteEndArray();
                json.WriteNumber("scale", fit.Scale);
                if (fit.Alpha is double alpha) json.WriteNumber("alpha", alpha);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }
}
