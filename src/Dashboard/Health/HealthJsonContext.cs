using System.Text.Json;
using System.Text.Json.Serialization;

namespace BatchDashboard.Dashboard.Health;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HealthBody))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(DateTimeOffset))]
[JsonSerializable(typeof(ConnectionHealth))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
