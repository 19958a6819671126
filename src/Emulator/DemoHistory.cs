using System.Buffers;
using System.Globalization;
using System.Text.Json;
using BatchDashboard.Emulator.Simulation;

namespace BatchDashboard.Emulator;

/// <summary>
/// Seeds the emulator with the history a busy team would have: batches over the last 30 days on every endpoint and
/// status, several models, metadata, failed validations, and a few running right now (validating, moving, stuck in
/// finalizing, cancelling, about to expire). Every batch goes through the real path: an input file is generated,
/// validated, and the batch's timeline is planned so that "now" finds it in the intended state.
/// </summary>
internal static class DemoHistory
{
    private sealed record Workload(string Endpoint, string[] Models, string Job, string Prefix, double Weight);

    private static readonly Workload[] Workloads =
    [
        new("/v1/chat/completions", ["gpt-4o-mini", "gpt-4.1-mini", "gpt-4o"], "support-triage", "ticket", 0.22),
        new("/v1/chat/completions", ["gpt-4o-mini", "o4-mini"], "review-sentiment", "review", 0.16),
        new("/v1/chat/completions", ["gpt-5-mini", "gpt-4.1-mini"], "catalog-enrichment", "sku", 0.12),
        new("/v1/responses", ["gpt-5", "gpt-5-mini", "gpt-4.1"], "contract-summaries", "doc", 0.18),
        new("/v1/embeddings", ["text-embedding-3-small", "text-embedding-3-large"], "kb-embeddings", "chunk", 0.18),
        new("/v1/completions", ["gpt-3.5-turbo-instruct"], "legacy-autocomplete", "prompt", 0.05),
        new("/v1/moderations", ["omni-moderation-latest"], "ugc-moderation", "post", 0.09),
    ];

    /// <summary>
    /// How far back the history goes: a month, less the few minutes an input file is uploaded before its batch, so no
    /// batch refers to an input file already past its 30 days (which the API deletes).
    /// </summary>
    private static readonly TimeSpan Oldest = TimeSpan.FromDays(30) - TimeSpan.FromMinutes(5);

    private static readonly string[] Teams = ["search", "support", "growth", "data-platform", "trust-safety"];
    private static readonly string[] Owners = ["amira", "jonas", "li.wei", "sofia", "tomasz", "priya"];

    private enum Defect
    {
        None,
        InvalidJson,
        DuplicateId,
        UrlMismatch,
        ModelMismatch,
        MissingId,
    }

    public static void Seed(EmulatorState state, int count)
    {
        var random = new Random(state.Options.RandomSeed + 1);
        var now = state.Now;
        var live = Math.Min(10, count);
        for (var i = 0; i < live; i++)
        {
            SeedLive(state, random, now, i);
        }

        for (var i = live; i < count; i++)
        {
            SeedHistorical(state, random, now);
        }
    }

    private static void SeedLive(EmulatorState state, Random random, DateTimeOffset now, int scenario)
    {
        var minute = TimeSpan.FromMinutes(1);
        switch (scenario)
        {
            case 0: // starts running within seconds of the demo opening
                Create(state, random, Pick(0), now.AddSeconds(-3), Plan(TimeSpan.FromSeconds(12), 4, minute), 1200);
                break;
            case 1:
                Create(state, random, Workloads[4], now.AddSeconds(-20), Plan(TimeSpan.FromSeconds(40), 6, minute), 2400);
                break;
            case 2: // a big job, well under way
                Running(state, random, Workloads[0], now, started: TimeSpan.FromMinutes(24), remaining: TimeSpan.FromMinutes(35), rate: 9);
                break;
            case 3: // running with many failures
                Running(state, random, Workloads[2], now, started: TimeSpan.FromMinutes(10), remaining: TimeSpan.FromMinutes(25), rate: 3, failureRate: 0.25);
                break;
            case 4:
                Running(state, random, Workloads[3], now, started: TimeSpan.FromMinutes(62), remaining: TimeSpan.FromMinutes(48), rate: 1.5);
                break;
            case 5: // finished its requests three hours ago and is still finalizing
                Create(state, random, Workloads[1], now.AddHours(-5), Plan(TimeSpan.FromMinutes(4), 1200 / (1.75 * 3600), TimeSpan.FromHours(9)), 1200);
                break;
            case 6: // cancelled three minutes ago; OpenAI can take most of an hour to finish a cancel
                {
                    Running(state, random, Workloads[0], now, started: TimeSpan.FromMinutes(38), remaining: TimeSpan.FromHours(2), rate: 2, cancelling: TimeSpan.FromMinutes(50), cancelAt: now.AddMinutes(-3));
                    break;
                }

            case 7: // created 23 h 20 min ago and nowhere near done: expires during the demo
                Create(state, random, Workloads[3], now.AddHours(-23).AddMinutes(-20), Plan(TimeSpan.FromMinutes(6), 3000 / (30 * 3600.0), TimeSpan.FromMinutes(5)), 3000);
                break;
            case 8: // validating for hours
                Create(state, random, Workloads[6], now.AddMinutes(-150), Plan(TimeSpan.FromHours(4), 5, minute), 900);
                break;
            default: // finalizing now, completed within the first minute
                Create(state, random, Workloads[5], now.AddMinutes(-41), Plan(TimeSpan.FromMinutes(1), 400 / (40 * 60.0), TimeSpan.FromSeconds(40)), 400);
                break;
        }
    }

    private static void Running(
        EmulatorState state, Random random, Workload workload, DateTimeOffset now, TimeSpan started, TimeSpan remaining, double rate,
        double failureRate = 0.02, TimeSpan? cancelling = null, DateTimeOffset? cancelAt = null)
    {
        var validation = TimeSpan.FromMinutes(1);
        var requests = (int)(rate * (started + remaining).TotalSeconds);
        var plan = Plan(validation, rate, TimeSpan.FromMinutes(3), failureRate) with { CancellingTime = cancelling ?? TimeSpan.FromMinutes(8) };
        Create(state, random, workload, now - started - validation, plan, requests, cancelAt: cancelAt);
    }

    private static void SeedHistorical(EmulatorState state, Random random, DateTimeOffset now)
    {
        var workload = Pick(random.NextDouble());
        var requests = Size(random, workload);
        var roll = random.NextDouble();
        if (roll < 0.68)
        {
            // Completed, mostly cleanly; some with many failures, a few where every request failed.
            var created = now - Between(random, TimeSpan.FromHours(8), Oldest);
            var duration = Between(random, TimeSpan.FromMinutes(8), TimeSpan.FromHours(6));
            var failures = random.NextDouble() switch
            {
                < 0.03 => 1.0,
                < 0.15 => 0.1 + (random.NextDouble() * 0.4),
                < 0.55 => 0,
                _ => random.NextDouble() * 0.05,
            };
            var plan = Plan(Between(random, TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(12)), requests / duration.TotalSeconds, Between(random, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(25)), failures);
            // Some results were asked to expire after an hour (output_expires_after): long gone upstream.
            var outputExpiry = random.NextDouble() < 0.08 ? TimeSpan.FromHours(1) : (TimeSpan?)null;
            Create(state, random, workload, created, plan, requests, outputExpiry: outputExpiry);
        }
        else if (roll < 0.77)
        {
            // Failed validation: a bad input file, or the organization's enqueued-token limit.
            var created = now - Between(random, TimeSpan.FromHours(1), Oldest);
            var plan = Plan(Between(random, TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(4)), 10, TimeSpan.FromMinutes(1));
            var defect = (Defect)random.Next(0, 6);
            var forced = defect == Defect.None
                ? EmulatorState.TokenLimitExceeded(workload.Models[0], state.Options.QueuedTokenLimitFor(workload.Models[0]) ?? 2_000_000)
                : null;
            Create(state, random, workload, created, plan, requests, defect, forcedFailure: forced);
        }
        else if (roll < 0.84)
        {
            // Expired: the 24-hour window ran out with work left; what finished is kept.
            var created = now - Between(random, TimeSpan.FromHours(26), Oldest);
            var plan = Plan(TimeSpan.FromMinutes(3), requests / Between(random, TimeSpan.FromHours(28), TimeSpan.FromHours(60)).TotalSeconds, TimeSpan.FromMinutes(2)) with { ExpiringTime = Between(random, TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(12)) };
            Create(state, random, workload, created, plan, requests);
        }
        else
        {
            // Cancelled, mostly while still validating (as in real data), some part-way through.
            var created = now - Between(random, TimeSpan.FromHours(3), Oldest);
            var whileValidating = random.NextDouble() < 0.7;
            var plan = Plan(whileValidating ? TimeSpan.FromMinutes(30) : TimeSpan.FromMinutes(2), requests / TimeSpan.FromHours(3).TotalSeconds, TimeSpan.FromMinutes(2))
                with { CancellingTime = random.NextDouble() < 0.1 ? TimeSpan.FromMinutes(47) : Between(random, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(12)) };
            var cancelAfter = whileValidating ? Between(random, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(20)) : Between(random, TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(150));
            Create(state, random, workload, created, plan, requests, cancelAt: created + cancelAfter);
        }
    }

    private static EmulatedBatch Create(
        EmulatorState state, Random random, Workload workload, DateTimeOffset created, BatchPlan plan, int requests,
        Defect defect = Defect.None, TimeSpan? outputExpiry = null, ValidationError? forcedFailure = null, DateTimeOffset? cancelAt = null)
    {
        var model = workload.Models[random.Next(workload.Models.Length)];
        var defectLine = defect == Defect.None ? -1 : random.Next(1, Math.Min(requests, 40));
        var seed = (ulong)random.NextInt64();
        var day = created.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var input = state.AddGeneratedFile(
            $"{workload.Job}-{day}.jsonl",
            "batch",
            created - TimeSpan.FromSeconds(random.Next(5, 120)),
            new GeneratedContent(requests, (line, buffer) => WriteInputLine(buffer, workload, model, seed, line, line == defectLine ? defect : Defect.None),
                line => ReplyTo(workload.Endpoint, SubjectOf(seed, line))));

        var (batch, error) = state.CreateBatch(
            new CreateBatchArgs(input.Id, workload.Endpoint, "24h", Metadata(random, workload), outputExpiry),
            plan,
            created,
            forcedFailure,
            cancelAt);
        return batch ?? throw new InvalidOperationException($"The demo history could not create a batch: {error?.Message}");
    }

    private static List<KeyValuePair<string, string>>? Metadata(Random random, Workload workload)
    {
        if (random.NextDouble() < 0.1)
        {
            return null;
        }

        var metadata = new List<KeyValuePair<string, string>>
        {
            new("job", workload.Job),
            new("team", Teams[random.Next(Teams.Length)]),
            new("env", random.NextDouble() < 0.8 ? "prod" : "staging"),
        };
        if (random.NextDouble() < 0.5)
        {
            metadata.Add(new("owner", Owners[random.Next(Owners.Length)]));
        }

        if (random.NextDouble() < 0.3)
        {
            metadata.Add(new("run", "r-" + random.Next(1000, 9999).ToString(CultureInfo.InvariantCulture)));
        }

        return metadata;
    }

    private static void WriteInputLine(IBufferWriter<byte> buffer, Workload workload, string model, ulong seed, int line, Defect defect)
    {
        if (defect == Defect.InvalidJson)
        {
            var broken = $"{{\"custom_id\": \"{workload.Prefix}-{line + 1:D5}\", \"method\": \"POST\", \"url\": \"{workload.Endpoint}\", \"body\": {{\"model\": \"{model}\", \n";
            System.Text.EncodingExtensions.GetBytes(System.Text.Encoding.UTF8, broken, buffer);
            return;
        }

        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (defect != Defect.MissingId)
            {
                var id = defect == Defect.DuplicateId && line > 0 ? line : line + 1;
                writer.WriteString("custom_id", $"{workload.Prefix}-{id:D5}");
            }

            writer.WriteString("method", "POST");
            writer.WriteString("url", defect == Defect.UrlMismatch ? (workload.Endpoint == "/v1/embeddings" ? "/v1/chat/completions" : "/v1/embeddings") : workload.Endpoint);
            writer.WriteStartObject("body");
            writer.WriteString("model", defect == Defect.ModelMismatch ? model + "-preview" : model);
            var subject = Subjects[SubjectOf(seed, line)].Text;
            switch (workload.Endpoint)
            {
                case "/v1/chat/completions":
                    writer.WriteStartArray("messages");
                    writer.WriteStartObject();
                    writer.WriteString("role", "system");
                    writer.WriteString("content", $"You are a careful assistant for the {workload.Job} pipeline. Answer in one short paragraph.");
                    writer.WriteEndObject();
                    writer.WriteStartObject();
                    writer.WriteString("role", "user");
                    writer.WriteString("content", subject);
                    writer.WriteEndObject();
                    writer.WriteEndArray();
                    writer.WriteNumber("max_tokens", 600);
                    break;
                case "/v1/responses":
                    writer.WriteString("instructions", "Summarise the document in three sentences.");
                    writer.WriteString("input", subject);
                    writer.WriteNumber("max_output_tokens", 800);
                    break;
                case "/v1/completions":
                    writer.WriteString("prompt", subject);
                    writer.WriteNumber("max_tokens", 64);
                    break;
                default:
                    writer.WriteString("input", subject);
                    break;
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.GetSpan(1)[0] = (byte)'\n';
        buffer.Advance(1);
    }

    private static int SubjectOf(ulong seed, int line) => (int)(Deterministic.Hash(seed, line) % (ulong)Subjects.Length);

    /// <summary>The reply to a request on this subject, as its endpoint's requests ask for it (summaries are summaries).</summary>
    private static string ReplyTo(string endpoint, int subject) =>
        endpoint == "/v1/responses" ? Subjects[subject].Summary : Subjects[subject].Answer;

    /// <summary>The reply the demo gives a request whose text is <paramref name="subject"/>; null for a text it did not write.</summary>
    internal static string? ReplyTo(string endpoint, string subject) =>
        System.Array.FindIndex(Subjects, s => s.Text == subject) is >= 0 and var index ? ReplyTo(endpoint, index) : null;

    // What the demo's requests are about, each with the answer a chat model would give and a one-line summary.
    private static readonly (string Text, string Answer, string Summary)[] Subjects =
    [
        ("My order #48213 arrived damaged and the box was open. Can I get a replacement before Friday?",
            "Category: shipping damage. The customer asks for a replacement of order #48213 before Friday; priority: high.",
            "A customer's order #48213 arrived damaged and opened. They want a replacement. They need it before Friday."),
        ("The new dashboard is great, but exporting to CSV drops the last column every time.",
            "Sentiment: mixed. Praise for the new dashboard; a bug report: CSV exports lose their last column.",
            "The user likes the new dashboard. CSV exports drop the last column. They report it as a bug."),
        ("Blue cotton t-shirt, slim fit, sizes S to XXL, machine washable at 40 degrees.",
            "Product attributes: colour blue, material cotton, fit slim, sizes S–XXL, care: machine wash at 40 °C.",
            "A blue cotton t-shirt in a slim fit. It comes in sizes S to XXL. It is machine washable at 40 degrees."),
        ("This agreement is entered into by the parties for the supply of cloud services for a term of 36 months.",
            "Clause type: term. Cloud services are supplied for 36 months.",
            "The parties agree on a supply of cloud services. The term is 36 months. The clause sets the contract's length."),
        ("How do I reset my password if I no longer have access to the email address on my account?",
            "Category: account access. The user cannot reach their account's email and asks how to reset the password.",
            "A user lost access to their account's email. They need to reset their password. They ask how."),
        ("Absolutely loved the hotel: quiet rooms, friendly staff, and breakfast until eleven.",
            "Sentiment: positive. Praised: quiet rooms, friendly staff, late breakfast.",
            "The guest loved the hotel. They praise the quiet rooms and friendly staff. Breakfast until eleven pleased them."),
        ("The invoice for March lists two identical charges of 49.00 EUR on the same day.",
            "Category: billing. A duplicate charge of 49.00 EUR on the March invoice; refund likely due.",
            "The March invoice shows the same 49.00 EUR charge twice. Both are on the same day. It looks like a duplicate."),
        ("Stainless steel water bottle, 750 ml, keeps drinks cold for 24 hours, dishwasher safe.",
            "Product attributes: material stainless steel, volume 750 ml, keeps cold 24 h, dishwasher safe.",
            "A 750 ml stainless steel water bottle. It keeps drinks cold for 24 hours. It is dishwasher safe."),
        ("Section 7.2: either party may terminate this agreement with ninety days' written notice.",
            "Clause type: termination. Either party, 90 days' written notice.",
            "Section 7.2 covers termination. Either party may end the agreement. Ninety days' written notice is required."),
        ("The app crashes when I rotate my phone while a video is uploading.",
            "Category: bug. The app crashes on rotation during a video upload; priority: high.",
            "The app crashes on rotation. It happens while a video uploads. The user reports it as a bug."),
    ];

    private static BatchPlan Plan(TimeSpan validation, double rate, TimeSpan finalizing, double failureRate = 0.02) =>
        new(validation, rate, finalizing, TimeSpan.FromMinutes(6), TimeSpan.FromMinutes(10), failureRate);

    private static Workload Pick(double roll)
    {
        foreach (var workload in Workloads)
        {
            if (roll < workload.Weight)
            {
                return workload;
            }

            roll -= workload.Weight;
        }

        return Workloads[0];
    }

    private static int Size(Random random, Workload workload)
    {
        // Mostly hundreds, sometimes thousands; embeddings jobs run larger.
        var size = (int)Math.Exp(3 + (random.NextDouble() * 4.6));
        return workload.Endpoint == "/v1/embeddings" ? Math.Min(size * 2, 5000) : Math.Clamp(size, 10, 3000);
    }

    private static TimeSpan Between(Random random, TimeSpan min, TimeSpan max) => min + ((max - min) * random.NextDouble());
}
