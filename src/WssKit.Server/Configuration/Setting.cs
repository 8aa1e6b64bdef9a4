using System.Globalization;
using System.Text;

namespace WssKit.Server.Configuration;

/// <summary>
/// One setting of <c>wss serve</c>, with its three spellings: the wss.json key (camelCase), the environment
/// variable (WSS_UPPER_SNAKE) and the flag (--kebab-case).
/// </summary>
public sealed class Setting
{
    /// <summary>The key in wss.json, camelCase.</summary>
    public required string Key { get; init; }

    /// <summary>What it does, one sentence, for --help and the docs.</summary>
    public required string Help { get; init; }

    /// <summary>The placeholder for its value in help text: PORT, SIZE, DURATION, PATH.</summary>
    public required string ValueName { get; init; }

    /// <summary>Whether several values may be given (the flag repeated, a JSON array, a comma-separated variable).</summary>
    public bool IsList { get; init; }

    /// <summary>Whether it is an on/off switch: the flag takes no value.</summary>
    public bool IsSwitch { get; init; }

    /// <summary>Whether it can only be set in the configuration file (structured values).</summary>
    public bool FileOnly { get; init; }

    /// <summary>Stores a value into the options; throws <see cref="SettingException"/> when it cannot be used.</summary>
    public required Action<Setting, WssServerOptions, SettingInput> Apply { get; init; }

    /// <summary>Shows the current value in the options, for --print-config and the docs.</summary>
    public required Func<WssServerOptions, string> Show { get; init; }

    /// <summary>The command-line flag.</summary>
    public string Flag => "--" + Separated(Key, '-', upper: false);

    /// <summary>The environment variable.</summary>
    public string EnvironmentVariable => "WSS_" + Separated(Key, '_', upper: true);

    /// <summary>All three spellings, for error messages: "maxMessageSize (--max-message-size, WSS_MAX_MESSAGE_SIZE)".</summary>
    public string Names => FileOnly ? $"{Key} (in the config file)" : $"{Key} ({Flag}, {EnvironmentVariable})";

    /// <summary>An error about a value of this setting, naming where the value came from.</summary>
    public SettingException Invalid(SettingInput input, string value, string problemAndFix)
        => new($"{Names} = '{value}' from {input.Origin}: {problemAndFix}");

    private static string Separated(string camel, char separator, bool upper)
    {
        var text = new StringBuilder();
        foreach (var c in camel)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append(separator);
            }
            text.Append(upper ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
        }
        return text.ToString();
    }

    internal static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
