namespace WssKit.Cli;

/// <summary>The -H/--header flag of the client commands: curl's 'Name: value' form.</summary>
internal static class RequestHeaders
{
    public static KeyValuePair<string, string> Parse(string header)
    {
        var colon = header.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            ? KeyValuePair.Create(header[..colon].Trim(), header[(colon + 1)..].Trim())
            : throw new ArgumentException($"--header '{header}' is not 'Name: value'");
    }
}
