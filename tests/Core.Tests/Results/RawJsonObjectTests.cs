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
        while (walker.Next(out var name))
        {
            members.Add((Encoding.UTF8.GetString(name), Encoding.UTF8.GetString(walker.Value())));
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

    [Fact]
    public void AnObjectWalkedWhereItLies_CarriesTheOuterWalkOnAfterIt_AndValuesLeftAreSkipped()
    {
        var json = Encoding.UTF8.GetBytes("""{"id":"r1","response":{"status_code":200,"body":{"data":[[1,2],{"x":"}"}],"usage":{"n":5}}},"custom_id":"c1"}""");
        var top = new RawJsonObject(json);
        var seen = new List<string>();
        while (top.Next(out var name))
        {
            seen.Add(Encoding.UTF8.GetString(name));
            if (name.SequenceEqual("response"u8))
            {
                Assert.True(top.ValueIsObject);
                var response = top.Object();
                while (response.Next(out var field))
                {
                    seen.Add(Encoding.UTF8.GetString(field));
                    if (field.SequenceEqual("body"u8))
                    {
                        var body = response.Object();
                        while (body.Next(out var part))
                        {
                            seen.Add(Encoding.UTF8.GetString(part));
                            if (part.SequenceEqual("usage"u8))
                            {
                                seen.Add(Encoding.UTF8.GetString(body.Value()));
                            }
                        }

                        Assert.True(response.Past(body));
                    }
                }

                Assert.True(top.Past(response));
            }
            else if (name.SequenceEqual("custom_id"u8))
            {
                seen.Add(Encoding.UTF8.GetString(top.Value()));
            }
        }

        Assert.True(top.Valid);
        Assert.Equal(json.Length, top.End);
        Assert.Equal(["id", "response", "status_code", "body", "data", "usage", """{"n":5}""", "custom_id", "\"c1\""], seen);
    }

    [Theory]
    [InlineData("""{"a":{"b":"x}""")]             // a string in the inner object does not end
    [InlineData("""{"a":{"b":1 "c":2},"d":3}""")] // the inner object is not one the walker can follow
    public void AnInnerObjectThatCannotBeFollowed_MakesTheOuterWalkInvalid(string json)
    {
        var top = new RawJsonObject(Encoding.UTF8.GetBytes(json));
        Assert.True(top.Next(out _));
        var inner = top.Object();
        while (inner.Next(out _))
        {
        }

        Assert.False(top.Past(inner));
        Assert.False(top.Next(out _));
        Assert.False(top.Valid);
    }

    [Fact]
    public void AnInnerWalkLeftBeforeItsEnd_CannotBePassed()
    {
        var top = new RawJsonObject("""{"a":{"b":1,"c":2},"d":3}"""u8);
        Assert.True(top.Next(out _));
        var inner = top.Object();
        Assert.True(inner.Next(out _));

        Assert.False(top.Past(inner));
        Assert.False(top.Valid);
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
