using System.Text;
using BatchDashboard.Core.Results;

namespace BatchDashboard.Core.Tests.Results;

public sealed class RawJsonObjectTests
{
    private static List<(string Name, string Value)> Members(string json, out bool valid, out int end)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var walker = new RawJsonObject(bytes);
        var members = new List<(string, string)>();
        while (walker.Next(out var name, out var value))
        {
            members.Add((Encoding.UTF8.GetString(name), Encoding.UTF8.GetString(value)));
        }

        (valid, end) = (walker.Valid, walker.End);
        return members;
    }

    [Fact]
    public void Values_AreFoundWhole_WhateverTheyHoldInsideStrings()
    {
        var json = """ { "a" : "x \" ] } [ {" , "b":[1,[2,{"c":"]"}]], "d":{"e":null}, "f": -1.5e3 ,"g":true}  """;

        var members = Members(json, out var valid, out var end);

        Assert.True(valid);
        Assert.Equal([("a", "\"x \\\" ] } [ {\""), ("b", "[1,[2,{\"c\":\"]\"}]]"), ("d", "{\"e\":null}"), ("f", "-1.5e3"), ("g", "true")], members);
        Assert.Equal(json.TrimEnd().Length, end);
    }

    [Theory]
    [InlineData("""{"a":[1,2""")]
    [InlineData("""{"a":"unterminated}""")]
    [InlineData("""{"a" 1}""")]
    [InlineData("""{"a":1 "b":2}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""{a:1}""")]
    public void WhatItCannotFollow_MakesItInvalid(string json)
    {
        Members(json, out var valid, out _);

        Assert.False(valid);
    }

    [Theory]
    [InlineData("""{"custom_id":"x","response":{"status_code":200,"body":{"text":"a \"usage\": {\"prompt_tokens\": 999}","usage":{"prompt_tokens":5,"completion_tokens":6}}},"error":null}""", 5, 6)]
    [InlineData("""{"custom_id":"x","response":{"body":{"data":[{"embedding":[0.1,-0.2,3e-5]}],"usage":{"prompt_tokens":7,"total_tokens":7}},"status_code":200},"error":null}""", 7, 0)]
    public void TheFastWalk_ReadsWhatTheCheckingReaderReads(string line, long input, long output)
    {
        var result = ResultLineParser.ParseResult(Encoding.UTF8.GetBytes(line), out var problem);

        Assert.Null(problem);
        Assert.Equal((RequestOutcome.Succeeded, 200, input, output), (result!.Outcome, result.StatusCode!.Value, result.Tokens.Input, result.Tokens.Output));
    }
}
