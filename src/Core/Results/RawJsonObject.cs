namespace BatchDashboard.Core.Results;

/// <summary>
/// Walks the members of a JSON object without tokenizing their values: each value is found by scanning for the
/// brackets and quotes that end it, which skips an embedding's thousands of numbers or a long completion at memory
/// speed. The few values the index reads are then parsed on their own, and an object it reads into is walked where it
/// lies, so each byte of a line is scanned once. It trusts what it skips to be well-formed (the API writes these
/// files); anything it cannot follow makes <see cref="Next"/> fail, and the caller reads the
/// line the slow, checking way.
/// </summary>
internal ref struct RawJsonObject
{
    private static readonly System.Buffers.SearchValues<byte> Structural = System.Buffers.SearchValues.Create("\"[]{}"u8);
    private static readonly System.Buffers.SearchValues<byte> QuoteOrEscape = System.Buffers.SearchValues.Create("\"\\"u8);

    private readonly ReadOnlySpan<byte> _json;
    private int _position;
    private int _value = -1; // where the value Next came to starts, until it is taken or walked
    private bool _first = true;

    /// <param name="json">The object, from its <c>{</c>; white space before it is allowed.</param>
    public RawJsonObject(ReadOnlySpan<byte> json)
    {
        _json = json;
        _position = SkipSpace(json, 0);
        Valid = _position < json.Length && json[_position] == (byte)'{';
        _position++;
    }

    /// <summary>False once the input is not an object this walker can follow.</summary>
    public bool Valid { get; private set; }

    /// <summary>Where the object ends (after its <c>}</c>), once <see cref="Next"/> has returned false with <see cref="Valid"/> true.</summary>
    public int End { get; private set; }

    /// <summary>
    /// The next member's name (its raw bytes, between the quotes). Its value comes next: take it whole with
    /// <see cref="Value"/>, or walk it with <see cref="Object"/> and then <see cref="Past"/> (one pass over it, however
    /// large), or leave it, and the next call skips it.
    /// </summary>
    public bool Next(out ReadOnlySpan<byte> name)
    {
        name = default;
        if (_value >= 0)
        {
            Value();
        }

        if (!Valid)
        {
            return false;
        }

        var i = SkipSpace(_json, _position);
        if (i < _json.Length && _json[i] == (byte)'}')
        {
            End = i + 1;
            return false;
        }

        if (!_first)
        {
            if (i >= _json.Length || _json[i] != (byte)',')
            {
                return Fail();
            }

            i = SkipSpace(_json, i + 1);
        }

        _first = false;
        if (i >= _json.Length || _json[i] != (byte)'"')
        {
            return Fail();
        }

        var nameEnd = StringEnd(_json, i);
        if (nameEnd < 0)
        {
            return Fail();
        }

        name = _json[(i + 1)..(nameEnd - 1)];
        i = SkipSpace(_json, nameEnd);
        if (i >= _json.Length || _json[i] != (byte)':')
        {
            return Fail();
        }

        _value = SkipSpace(_json, i + 1);
        return _value < _json.Length || Fail();
    }

    /// <summary>Whether the value <see cref="Next"/> came to is an object.</summary>
    public readonly bool ValueIsObject => _value >= 0 && _json[_value] == (byte)'{';

    /// <summary>The raw bytes of the value <see cref="Next"/> came to; empty if it does not end.</summary>
    public ReadOnlySpan<byte> Value()
    {
        if (_value < 0)
        {
            return default;
        }

        var start = _value;
        _value = -1;
        var length = ValueLength(_json[start..]);
        if (length <= 0)
        {
            Fail();
            return default;
        }

        _position = start + length;
        return _json.Slice(start, length);
    }

    /// <summary>A walker over the value <see cref="Next"/> came to, when it is an object.</summary>
    public readonly RawJsonObject Object() => new(_value >= 0 ? _json[_value..] : default);

    /// <summary>Carries on after <paramref name="inner"/>, a walker from <see cref="Object"/> walked to its end.</summary>
    public bool Past(in RawJsonObject inner)
    {
        if (_value < 0 || !inner.Valid || inner.End == 0)
        {
            _value = -1;
            return Fail();
        }

        _position = _value + inner.End;
        _value = -1;
        return true;
    }

    private bool Fail()
    {
        Valid = false;
        return false;
    }

    /// <summary>The length of the JSON value at the start of <paramref name="json"/>, or -1 when it does not end.</summary>
    public static int ValueLength(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return -1;
        }

        switch (json[0])
        {
            case (byte)'"':
                return StringEnd(json, 0);
            case (byte)'{' or (byte)'[':
                return ContainerEnd(json);
            default:
                // A number, true, false or null: up to the next delimiter.
                var end = json.IndexOfAny(",}] \t\r\n"u8);
                return end < 0 ? json.Length : end;
        }
    }

    /// <summary>The end (after the closing quote) of the string starting at <paramref name="start"/>, or -1.</summary>
    private static int StringEnd(ReadOnlySpan<byte> json, int start)
    {
        var i = start + 1;
        while (true)
        {
            var next = json[i..].IndexOfAny(QuoteOrEscape);
            if (next < 0)
            {
                return -1;
            }

            i += next;
            if (json[i] == (byte)'"')
            {
                return i + 1;
            }

            i += 2; // an escape and the character it escapes
            if (i >= json.Length)
            {
                return -1;
            }
        }
    }

    /// <summary>The end of the object or array at the start of <paramref name="json"/>, counting brackets outside strings.</summary>
    private static int ContainerEnd(ReadOnlySpan<byte> json)
    {
        var depth = 0;
        var i = 0;
        while (i < json.Length)
        {
            var next = json[i..].IndexOfAny(Structural);
            if (next < 0)
            {
                return -1;
            }

            i += next;
            switch (json[i])
            {
                case (byte)'"':
                    var end = StringEnd(json, i);
                    if (end < 0)
                    {
                        return -1;
                    }

                    i = end;
                    continue;
                case (byte)'{' or (byte)'[':
                    depth++;
                    break;
                default:
                    depth--;
                    if (depth == 0)
                    {
                        return i + 1;
                    }

                    break;
            }

            i++;
        }

        return -1;
    }

    private static int SkipSpace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i;
    }
}
