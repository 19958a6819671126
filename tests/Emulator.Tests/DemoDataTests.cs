using System.Text.Json;

namespace BatchDashboard.Emulator.Tests;

/// <summary>
/// The demo's history answers itself: every request's output or error fits its input (the same model, a reply on
/// the input's subject, an error naming a parameter the input has), so the dashboard's pages show what they are for.
/// </summary>
public sealed class DemoDataTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryResult_FitsItsRequest()
    {
        await using var emulator = await EmulatorHarness.StartAsync(o => o.SeedBatches = 60);
        using var list = JsonDocument.Parse(await emulator.Http.GetStringAsync("batches?limit=100", Token));
        var checkedLines = 0;
        foreach (var batch in list.RootElement.GetProperty("data").EnumerateArray())
        {
            var endpoint = batch.GetProperty("endpoint").GetString()!;
            if (batch.GetProperty("status").GetString() != "completed" || endpoint is not ("/v1/chat/completions" or "/v1/responses"))
            {
                continue;
            }

            // Old batches' files are gone, as the API deletes them after 30 days (or sooner when asked).
            var inputs = (await LinesAsync(emulator, batch.GetProperty("input_file_id").GetString()))
                .ToDictionary(l => l.RootElement.GetProperty("custom_id").GetString()!, l => l.RootElement.GetProperty("body"));
            var results = (await LinesAsync(emulator, batch.GetProperty("output_file_id").GetString()))
                .Concat(await LinesAsync(emulator, batch.TryGetProperty("error_file_id", out var e) ? e.GetString() : null));
            foreach (var line in results)
            {
                var body = inputs[line.RootElement.GetProperty("custom_id").GetString()!];
                var subject = endpoint == "/v1/responses"
                    ? body.GetProperty("input").GetString()!
                    : body.GetProperty("messages")[1].GetProperty("content").GetString()!;
                if (line.RootElement.GetProperty("response") is { ValueKind: JsonValueKind.Object } response)
                {
                    var answer = response.GetProperty("body");
                    if (response.GetProperty("status_code").GetInt32() == 200)
                    {
                        var reply = endpoint == "/v1/responses"
                            ? answer.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString()
                            : answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
                        Assert.Equal(DemoHistory.ReplyTo(endpoint, subject), reply);
                        Assert.StartsWith(body.GetProperty("model").GetString()!, answer.GetProperty("model").GetString()!, StringComparison.Ordinal);
                    }
                    else if (answer.GetProperty("error").GetProperty("param") is { ValueKind: JsonValueKind.String } param)
                    {
                        Assert.True(body.TryGetProperty(param.GetString()!, out _), $"{param} is not in the input: {body}");
                    }
                }

                checkedLines++;
            }
        }

        Assert.True(checkedLines > 100, $"only {checkedLines} lines checked");
    }

    private static async Task<List<JsonDocument>> LinesAsync(EmulatorHarness emulator, string? fileId)
    {
        if (fileId is null)
        {
            return [];
        }

        using var response = await emulator.Http.GetAsync($"files/{fileId}/content", Token);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }

        var text = await response.Content.ReadAsStringAsync(Token);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l))];
    }
}
