namespace BatchDashboard.Emulator.Host;

/// <summary>The standalone emulator's short switches, each an alias of an <c>Emulator:*</c> setting.</summary>
internal static class EmulatorCommandLine
{
    public static readonly Dictionary<string, string> Switches = new(StringComparer.Ordinal)
    {
        ["--port"] = "Emulator:Port",
        ["--key"] = "Emulator:ApiKey",
        ["--speed"] = "Emulator:Speed",
        ["--seed-batches"] = "Emulator:SeedBatches",
        ["--random-seed"] = "Emulator:RandomSeed",
        ["--failure-rate"] = "Emulator:FailureRate",
        ["--requests-per-second"] = "Emulator:RequestsPerSecond",
        ["--storage"] = "Emulator:StorageDirectory",
        ["--queued-token-limit"] = "Emulator:QueuedTokenLimit",
        ["--webhook-url"] = "Emulator:WebhookUrl",
        ["--webhook-secret"] = "Emulator:WebhookSecret",
        ["--config"] = "config",
    };

    public const string Help = """
        OpenAI Batch API emulator: the Files and Batches API on 127.0.0.1, with batches that move through their lifecycle.

        Options (each also settable as Emulator:<Name> in a JSON file given with --config, or as BATCH_EMULATOR_Emulator__<Name>):
          --port N                  loopback port (default 5180; 0 picks a free one)
          --key KEY                 the Bearer key clients must send (default sk-emulator)
          --speed X                 run the batches you create X times faster (default 1)
          --seed-batches N          start with N batches of realistic history (default 0)
          --random-seed N           seed for ids, outcomes and faults (default 20240415)
          --failure-rate X          share of requests that fail, 0 to 1 (default 0.02)
          --requests-per-second X   requests completed per second per batch (default 20)
          --storage DIR             where uploads are kept (default: a temporary folder)
          --queued-token-limit N    prompt tokens that may be queued per model; a batch over it fails with
                                    token_limit_exceeded (default: none). Per model in the JSON file:
                                    "QueuedTokenLimits": { "gpt-4o-mini": 2000000 }
          --webhook-url URL         send OpenAI's batch webhooks there when batches end (batch.completed, .failed,
                                    .expired, .cancelled), signed the Standard Webhooks way, retried on failure
          --webhook-secret SECRET   the secret they are signed with: whsec_ and base64 (needed with --webhook-url)
          --config FILE             a JSON file with an "Emulator" section, e.g. for Faults

        Faults (in the JSON file, or at run time with PUT /_emulator/faults and the key):
          "Faults": [ { "Route": "GET /v1/batches*", "Latency": "00:00:00.300", "RateLimitShare": 0.1,
                        "RetryAfterSeconds": 2, "ServerErrorShare": 0.05, "MalformedJsonShare": 0.02,
                        "TruncatedJsonShare": 0.02, "HtmlErrorShare": 0.02, "DropConnectionShare": 0.02,
                        "SlowAnswerShare": 0.02, "SlowAnswerDelay": "00:00:05" } ]
        """;
}
