using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace BatchDashboard.Emulator.Api;

/// <summary>
/// In front of every <c>/v1</c> route, in the order the real service applies them: its response headers, then the
/// injected faults (a proxy or overloaded service fails before it checks a key), then the Bearer key.
/// </summary>
internal sealed class EmulatorMiddleware(RequestDelegate next, EmulatorState state, EmulatorFaults faults)
{
    private static readonly byte[] MalformedBody = "{\"object\": \"list\", \"data\": [,]"u8.ToArray();

    private const string HtmlBadGateway =
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var started = TimeProvider.System.GetTimestamp();
        var headers = context.Response.Headers;
        headers["x-request-id"] = "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        headers["openai-version"] = "2020-10-01";
        context.Response.OnStarting(() =>
        {
            headers["openai-processing-ms"] = ((int)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });

        var fault = faults.Draw(context.Request.Method, context.Request.Path.Value ?? "");
        if (fault.Latency > TimeSpan.Zero)
        {
            // Latency is a property of the network, so it is real time, not the emulator's clock.
            await Task.Delay(fault.Latency, context.RequestAborted);
        }

        if (fault.Kind == FaultKind.SlowAnswer)
        {
            // The client may give up first (its attempt timeout); then there is no one left to answer.
            try
            {
                await Task.Delay(fault.SlowAnswerDelay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        switch (fault.Kind)
        {
            case FaultKind.RateLimit:
                headers.RetryAfter = fault.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await EmulatorJson.WriteErrorAsync(context, new EmulatorError(429, "Rate limit reached for requests. Please try again in a moment.", Type: "requests", Code: "rate_limit_exceeded"));
                return;
            case FaultKind.ServerError:
                await EmulatorJson.WriteErrorAsync(context, new EmulatorError(500, "The server had an error while processing your request. Sorry about that!", Type: "server_error"));
                return;
            case FaultKind.MalformedJson:
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync(MalformedBody, context.RequestAborted);
                return;
            case FaultKind.HtmlError:
                context.Response.StatusCode = 502;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync(HtmlBadGateway, context.RequestAborted);
                return;
            case FaultKind.DropConnection:
                context.Abort();
                return;
        }

        if (!Authenticate(context, out var problem))
        {
            await EmulatorJson.WriteErrorAsync(context, problem!);
            return;
        }

        if (fault.Kind == FaultKind.TruncatedJson)
        {
            // The real answer, cut in half: a connection that closed early behind a proxy that did not notice.
            var original = context.Response.Body;
            using var captured = new MemoryStream();
            context.Response.Body = captured;
            try
            {
                await next(context);
            }
            finally
            {
                context.Response.Body = original;
            }

            context.Response.ContentLength = null;
            await original.WriteAsync(captured.GetBuffer().AsMemory(0, (int)(captured.Length / 2)), context.RequestAborted);
            return;
        }

        await next(context);
    }

    private bool Authenticate(HttpContext context, out EmulatorError? problem)
    {
        problem = null;
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            problem = new EmulatorError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.");
            return false;
        }

        var key = header[7..].Trim();
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(state.Options.ApiKey)))
        {
            return true;
        }

        problem = new EmulatorError(401, $"Incorrect API key provided: {Mask(key)}. You can find your API key at https://platform.openai.com/account/api-keys.", Code: "invalid_api_key");
        return false;
    }

    /// <summary>As OpenAI masks a wrong key: the first 8 and last 4 characters, the rest starred.</summary>
    internal static string Mask(string key) => key.Length <= 12
        ? new string('*', key.Length)
        : key[..8] + new string('*', key.Length - 12) + key[^4..];
}

/// <summary>What goes wrong with one answer.</summary>
public enum FaultKind
{
    None,
    RateLimit,
    ServerError,
    MalformedJson,
    TruncatedJson,
    HtmlError,
    DropConnection,
    SlowAnswer,
}

/// <summary>The fault drawn for one request: its added latency and what, if anything, goes wrong.</summary>
internal readonly record struct Fault(FaultKind Kind, TimeSpan Latency, int RetryAfterSeconds, TimeSpan SlowAnswerDelay);

/// <summary>How many requests a rule matched since the rules were last set, and how many of them got each fault.</summary>
public sealed record FaultTally(int Requests, IReadOnlyDictionary<FaultKind, int> Faults)
{
    public int Faulted => Faults.Values.Sum();
}

/// <summary>
/// The fault rules in force, replaceable while the emulator runs (<c>PUT /_emulator/faults</c>), so a test or a
/// user can start and stop an outage. Faults are dealt from a seeded shuffle, so a run repeats.
/// </summary>
public sealed class EmulatorFaults
{
    private const int DeckSize = 100;
    private readonly Lock _gate = new();
    private readonly Random _random;
    private (FaultRule Rule, Regex Route)[] _rules = [];
    private Queue<FaultKind>[] _decks = [];
    private int _requests;
    private readonly Dictionary<FaultKind, int> _drawn = [];

    public EmulatorFaults(EmulatorOptions options)
    {
        _random = new Random(options.RandomSeed);
        Set(options.Faults);
    }

    public IReadOnlyList<FaultRule> Rules => [.. _rules.Select(r => r.Rule)];

    /// <summary>Replaces every rule and starts a new tally; an empty list ends all faults.</summary>
    public void Set(IEnumerable<FaultRule> rules)
    {
        var compiled = rules.Select(rule => (rule, ToRegex(rule.Route))).ToArray();
        lock (_gate)
        {
            _rules = compiled;
            _decks = [.. compiled.Select(_ => new Queue<FaultKind>())];
            _requests = 0;
            _drawn.Clear();
        }
    }

    /// <summary>The requests the rules in force matched, and the faults drawn for them.</summary>
    public FaultTally Tally()
    {
        lock (_gate)
        {
            return new FaultTally(_requests, new Dictionary<FaultKind, int>(_drawn));
        }
    }

    internal Fault Draw(string method, string path)
    {
        var target = method + " " + path;
        lock (_gate)
        {
            for (var r = 0; r < _rules.Length; r++)
            {
                var (rule, route) = _rules[r];
                if (!route.IsMatch(target))
                {
                    continue;
                }

                if (_decks[r].Count == 0)
                {
                    Deal(rule, _decks[r]);
                }

                var kind = _decks[r].Dequeue();
                _requests++;
                if (kind != FaultKind.None)
                {
                    _drawn[kind] = _drawn.GetValueOrDefault(kind) + 1;
                }

                return new Fault(kind, rule.Latency, rule.RetryAfterSeconds, rule.SlowAnswerDelay);
            }
        }

        return default;
    }

    /// <summary>
    /// The next <see cref="DeckSize"/> answers of a rule, shuffled: each fault as many times as its share says, so
    /// 30% means 30 of every 100 and not 22 on an unlucky run (a fraction of one is dealt with that probability).
    /// </summary>
    private void Deal(FaultRule rule, Queue<FaultKind> deck)
    {
        var cards = new List<FaultKind>(DeckSize);
        foreach (var (share, kind) in new[]
        {
            (rule.RateLimitShare, FaultKind.RateLimit), (rule.ServerErrorShare, FaultKind.ServerError),
            (rule.MalformedJsonShare, FaultKind.MalformedJson), (rule.TruncatedJsonShare, FaultKind.TruncatedJson),
            (rule.HtmlErrorShare, FaultKind.HtmlError), (rule.DropConnectionShare, FaultKind.DropConnection),
            (rule.SlowAnswerShare, FaultKind.SlowAnswer),
        })
        {
            var exact = share * DeckSize;
            var count = (int)Math.Floor(exact) + (_random.NextDouble() < exact - Math.Floor(exact) ? 1 : 0);
            for (var i = 0; i < count && cards.Count < DeckSize; i++)
            {
                cards.Add(kind);
            }
        }

        while (cards.Count < DeckSize)
        {
            cards.Add(FaultKind.None);
        }

        for (var i = cards.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (cards[i], cards[j]) = (cards[j], cards[i]);
        }

        foreach (var card in cards)
        {
            deck.Enqueue(card);
        }
    }

    /// <summary>"GET /v1/batches*" matches the method and path; a route without a method matches every method.</summary>
    private static Regex ToRegex(string route)
    {
        var pattern = route.Trim();
        if (!pattern.Contains(' ', StringComparison.Ordinal))
        {
            pattern = "* " + pattern;
        }

        return new Regex("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
