namespace WssKit.Diagnostics.Certs;

/// <summary>A targets file: one target a line; blank lines and everything after a '#' are ignored.</summary>
public static class TargetList
{
    /// <summary>The targets in <paramref name="lines"/>, in order.</summary>
    /// <param name="lines">The file's lines.</param>
    /// <param name="source">The file's name, for messages.</param>
    /// <exception cref="FormatException">A line is not a target; the message names the file and the line.</exception>
    public static IReadOnlyList<CertTarget> Parse(IEnumerable<string> lines, string source)
    {
        var targets = new List<CertTarget>();
        var number = 0;
        foreach (var line in lines)
        {
            number++;
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            var text = (hash < 0 ? line : line[..hash]).Trim();
            if (text.Length == 0)
            {
                continue;
            }
            try
            {
                targets.Add(CertTarget.Parse(text));
            }
            catch (FormatException e)
            {
                throw new FormatException($"{source} line {number}: {e.Message}", e);
            }
        }
        return targets;
    }
}
