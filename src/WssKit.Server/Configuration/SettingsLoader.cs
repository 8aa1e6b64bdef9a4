using System.Text.Json;
using WssKit.Certificates.Files;

namespace WssKit.Server.Configuration;

/// <summary>The options in effect and, for each setting, where its value came from.</summary>
/// <param name="Options">The merged, validated options.</param>
/// <param name="Sources">For each setting key, the input that set it; absent when the default applies.</param>
/// <param name="ConfigFile">The configuration file that was read, if any.</param>
public sealed record EffectiveSettings(WssServerOptions Options, IReadOnlyDictionary<string, SettingInput> Sources, string? ConfigFile);

/// <summary>
/// Merges the layers of settings, each overriding the one before: built-in defaults, the configuration file
/// (wss.json), WSS_* environment variables, then flags. Every value is checked as it is read, then the whole.
/// </summary>
public static class SettingsLoader
{
    /// <summary>The configuration file read from the working directory when none is named.</summary>
    public const string DefaultConfigFile = "wss.json";

    /// <summary>The environment variable that names the configuration file.</summary>
    public const string ConfigEnvironmentVariable = "WSS_CONFIG";

    private static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Loads the effective settings.</summary>
    /// <param name="configPath">The --config flag, if given.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="flags">Flag values by setting key, for the flags given on the command line.</param>
    /// <param name="workingDirectory">Relative paths from flags and variables are resolved against it.</param>
    /// <exception cref="SettingException">A value is invalid; the message names the setting, where it came from and the fix.</exception>
    public static EffectiveSettings Load(string? configPath, Func<string, string?> environment,
        IReadOnlyDictionary<string, IReadOnlyList<string>> flags, string workingDirectory)
    {
        var options = new WssServerOptions();
        var sources = new Dictionary<string, SettingInput>();
        var configFile = ResolveConfigFile(configPath, environment, workingDirectory);
        if (configFile is not null)
        {
            ReadFile(configFile, options, sources);
        }
        foreach (var setting in ServeSettings.All.Where(setting => !setting.FileOnly))
        {
            if (environment(setting.EnvironmentVariable) is { Length: > 0 } text)
            {
                var values = setting.IsList ? text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [text];
                Apply(setting, new SettingInput(values, SettingLayer.Environment, setting.EnvironmentVariable, workingDirectory), options, sources);
            }
        }
        foreach (var (key, values) in flags)
        {
            var setting = ServeSettings.Find(key);
            var split = setting.IsList ? values.SelectMany(value => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList() : values;
            Apply(setting, new SettingInput(split, SettingLayer.Flag, setting.Flag, workingDirectory), options, sources);
        }
        if (OptionsValidator.Validate(options).FirstOrDefault() is { } problem)
        {
            throw new SettingException(problem);
        }
        return new EffectiveSettings(options, sources, configFile);
    }

    private static void Apply(Setting setting, SettingInput input, WssServerOptions options, Dictionary<string, SettingInput> sources)
    {
        if (input.Values.Count == 0 && !setting.IsList)
        {
            return;
        }
        setting.Apply(setting, options, input);
        sources[setting.Key] = input;
    }

    private static string? ResolveConfigFile(string? configPath, Func<string, string?> environment, string workingDirectory)
    {
        var named = configPath ?? environment(ConfigEnvironmentVariable);
        if (named is { Length: > 0 })
        {
            var full = Path.GetFullPath(named, workingDirectory);
            return File.Exists(full)
                ? full
                : throw new SettingException($"the config file {full} does not exist: check --config / {ConfigEnvironmentVariable}, or create it (see docs/configuration.md)");
        }
        var implicitFile = Path.Combine(workingDirectory, DefaultConfigFile);
        return File.Exists(implicitFile) ? implicitFile : null;
    }

    private static void ReadFile(string path, WssServerOptions options, Dictionary<string, SettingInput> sources)
    {
        var name = Path.GetFileName(path);
        var baseDirectory = Path.GetDirectoryName(path)!;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new SettingException($"{path} is not valid JSON at line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}: fix the syntax (comments and trailing commas are allowed)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingException($"cannot read the config file {path}: {e.Message.TrimEnd('.')}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new SettingException($"{path} must hold a JSON object of settings, such as {{\"port\": 443}}");
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "$schema")
                {
                    continue;
                }
                var setting = ServeSettings.All.FirstOrDefault(candidate => candidate.Key == property.Name)
                    ?? throw new SettingException($"{name}: unknown setting '{property.Name}'{Suggest(property.Name, ServeSettings.All.Select(s => s.Key))} (the settings are listed in docs/configuration.md)");
                if (setting.Key == "sites")
                {
                    options.Sites = ReadSites(property.Value, name, baseDirectory);
                    sources[setting.Key] = new SettingInput([], SettingLayer.File, name, baseDirectory);
                    continue;
                }
                Apply(setting, new SettingInput(Values(property.Value, setting, name), SettingLayer.File, name, baseDirectory), options, sources);
            }
        }
    }

    private static List<string> Values(JsonElement value, Setting setting, string file) => value.ValueKind switch
    {
        JsonValueKind.Array when setting.IsList => [.. value.EnumerateArray().Select(item => Scalar(item, setting, file))],
        JsonValueKind.Array => throw new SettingException($"{file}: {setting.Key} takes one value, not a list"),
        JsonValueKind.Null => [],
        _ => [Scalar(value, setting, file)],
    };

    private static string Scalar(JsonElement value, Setting setting, string file) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw new SettingException($"{file}: {setting.Key} must be {(setting.IsList ? "a list of strings" : "a string, number or true/false")}, not {value.ValueKind.ToString().ToLowerInvariant()}"),
    };

    private static readonly string[] SiteKeys = ["hosts", "cert", "key", "keyPasswordFile", "keyPasswordEnv", "pfx", "pfxPasswordFile", "pfxPasswordEnv"];

    private static List<SiteOptions> ReadSites(JsonElement value, string file, string baseDirectory)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new SettingException($"{file}: sites must be a list of objects, such as [{{\"hosts\": [\"example.com\"], \"cert\": \"fullchain.pem\", \"key\": \"key.pem\"}}]");
        }
        var sites = new List<SiteOptions>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            index++;
            var where = $"{file}: sites[{index - 1}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new SettingException($"{where} must be an object with hosts, cert and key (or pfx)");
            }
            var site = new SiteOptions();
            foreach (var property in item.EnumerateObject())
            {
                string Text() => property.Value.ValueKind == JsonValueKind.String
                    ? property.Value.GetString()!
                    : throw new SettingException($"{where}.{property.Name} must be a string");
                string FullPath() => Path.GetFullPath(Text(), baseDirectory);
                switch (property.Name)
                {
                    case "hosts":
                        site.Hosts = property.Value.ValueKind switch
                        {
                            JsonValueKind.Array => [.. property.Value.EnumerateArray().Select(host => host.ValueKind == JsonValueKind.String ? host.GetString()!.ToLowerInvariant() : throw new SettingException($"{where}.hosts must hold strings"))],
                            JsonValueKind.String => [Text().ToLowerInvariant()],
                            _ => throw new SettingException($"{where}.hosts must be a list of host names"),
                        };
                        break;
                    case "cert": site.Cert = FullPath(); break;
                    case "key": site.Key = FullPath(); break;
                    case "keyPasswordFile": site.KeyPassword = new SecretSource(FilePath: FullPath()); break;
                    case "keyPasswordEnv": site.KeyPassword = new SecretSource(EnvironmentVariable: Text()); break;
                    case "pfx": site.Pfx = FullPath(); break;
                    case "pfxPasswordFile": site.PfxPassword = new SecretSource(FilePath: FullPath()); break;
                    case "pfxPasswordEnv": site.PfxPassword = new SecretSource(EnvironmentVariable: Text()); break;
                    default:
                        throw new SettingException($"{where}: unknown key '{property.Name}'{Suggest(property.Name, SiteKeys)}; a site has {string.Join(", ", SiteKeys)}");
                }
            }
            sites.Add(site);
        }
        return sites;
    }

    /// <summary>"; did you mean 'x'?" for the closest known name, when one is close.</summary>
    internal static string Suggest(string given, IEnumerable<string> known)
    {
        var best = known.Select(name => (Name: name, Distance: Distance(given.ToLowerInvariant(), name.ToLowerInvariant())))
            .OrderBy(candidate => candidate.Distance).FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, given.Length / 3) ? $"; did you mean '{best.Name}'?" : "";
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }
}
