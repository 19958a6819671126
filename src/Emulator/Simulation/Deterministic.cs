namespace BatchDashboard.Emulator.Simulation;

/// <summary>
/// Reproducible pseudo-random values from a seed and an index (SplitMix64), so a batch's outcomes, token counts and
/// response ids are the same on every read of it, with nothing stored per request beyond what the batch needs.
/// </summary>
internal static class Deterministic
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static ulong Hash(ulong seed, long index)
    {
        var z = seed + (0x9E3779B97F4A7C15UL * (ulong)(index + 1));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A value in [0, 1).</summary>
    public static double Unit(ulong seed, long index) => (Hash(seed, index) >> 11) * (1.0 / (1UL << 53));

    /// <summary>A value in [min, max].</summary>
    public static int Between(ulong seed, long index, int min, int max) => min + (int)(Hash(seed, index) % (ulong)(max - min + 1));

    public static ulong SeedOf(string text)
    {
        // FNV-1a: stable across processes, unlike string.GetHashCode.
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    public static string Hex(ulong seed, long index, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i += 16)
        {
            var value = Hash(seed, (index * 7919) + i);
            for (var j = 0; j < 16 && i + j < length; j++)
            {
                chars[i + j] = "0123456789abcdef"[(int)((value >> (j * 4)) & 0xF)];
            }
        }

        return new string(chars);
    }

    public static string Base62Id(ulong seed, long index, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Base62[(int)(Hash(seed, (index * 131) + i) % 62)];
        }

        return new string(chars);
    }
}
