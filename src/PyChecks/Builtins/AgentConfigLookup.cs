namespace PyChecks.Builtins;

/// <summary>How <c>datadog_agent.get_config(key)</c> reads a key, as the Agent does: dotted keys reach into mappings (<c>proxy.http</c>).</summary>
internal static class AgentConfigLookup
{
    /// <summary>Looks <paramref name="key"/> up in <paramref name="values"/>, then, dotted, mapping by mapping.</summary>
    public static bool Find(IReadOnlyDictionary<string, object?> values, string key, out object? value)
    {
        if (values.TryGetValue(key, out value))
        {
            return true;
        }

        int dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && values.TryGetValue(key[..dot], out object? parent) && parent is IReadOnlyDictionary<string, object?> mapping)
        {
            return Find(mapping, key[(dot + 1)..], out value);
        }

        value = null;
        return false;
    }
}
