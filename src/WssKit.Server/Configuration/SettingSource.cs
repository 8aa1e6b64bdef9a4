namespace WssKit.Server.Configuration;

/// <summary>Which layer a setting's value came from; later layers win: default, file, environment, flag.</summary>
public enum SettingLayer
{
    /// <summary>The built-in default.</summary>
    Default,
    /// <summary>The configuration file (wss.json).</summary>
    File,
    /// <summary>A WSS_* environment variable.</summary>
    Environment,
    /// <summary>A command-line flag.</summary>
    Flag,
}

/// <summary>Raw values for one setting from one layer: one value, or several for list settings.</summary>
/// <param name="Values">The values as text.</param>
/// <param name="Layer">Where they came from.</param>
/// <param name="Origin">For people: "wss.json", "WSS_PORT", "--port".</param>
/// <param name="BaseDirectory">Relative paths are resolved against it (the config file's directory, or the working directory).</param>
public sealed record SettingInput(IReadOnlyList<string> Values, SettingLayer Layer, string Origin, string BaseDirectory)
{
    /// <summary>The value of a single-valued setting (the last one given).</summary>
    public string Value => Values[^1];
}

/// <summary>A setting has a value that cannot be used; the message names the setting, the value and the fix.</summary>
public sealed class SettingException(string message) : Exception(message);
