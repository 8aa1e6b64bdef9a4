using System.CommandLine;
using WssKit.Certificates;
using WssKit.Server.Configuration;
using WssKit.Server.Hosting;

namespace WssKit.Cli.Serve;

/// <summary>
/// wss serve: a production wss:// server. Its flags come from the settings table, so every flag has a WSS_*
/// variable and a wss.json key of the same name.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("serve", "Serve wss:// (echo on /echo, /healthz, /metrics) with TLS 1.2/1.3 and certificates that just work.");
        var configOption = new Option<string>("--config")
        {
            Description = $"settings file (JSON) [default: ./{SettingsLoader.DefaultConfigFile} when present] [env: {SettingsLoader.ConfigEnvironmentVariable}]",
            HelpName = "PATH",
        };
        var printConfig = new Option<bool>("--print-config") { Description = "print the effective settings and where each comes from, then exit" };
        command.Add(configOption);
        command.Add(printConfig);
        var defaults = new WssServerOptions();
        var settingOptions = new List<(Setting Setting, Option Option)>();
        foreach (var setting in ServeSettings.All.Where(setting => !setting.FileOnly))
        {
            var description = $"{setting.Help} [default: {setting.Show(defaults)}] [env: {setting.EnvironmentVariable}]";
            Option option = setting switch
            {
                { IsSwitch: true } => new Option<bool>(setting.Flag) { Description = description },
                { IsList: true } => new Option<string[]>(setting.Flag) { Description = description, HelpName = setting.ValueName, AllowMultipleArgumentsPerToken = false },
                _ => new Option<string>(setting.Flag) { Description = description, HelpName = setting.ValueName },
            };
            command.Add(option);
            settingOptions.Add((setting, option));
        }
        command.SetAction((parsed, cancellationToken) =>
        {
            var flags = new Dictionary<string, IReadOnlyList<string>>();
            foreach (var (setting, option) in settingOptions)
            {
                if (parsed.GetResult(option) is { Implicit: false } result)
                {
                    flags[setting.Key] = result.Tokens.Count == 0 ? ["true"] : [.. result.Tokens.Select(token => token.Value)];
                }
            }
            return RunAsync(console, parsed.GetValue(configOption), parsed.GetValue(printConfig), flags);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, string? configPath, bool printConfig, Dictionary<string, IReadOnlyList<string>> flags)
    {
        EffectiveSettings settings;
        try
        {
            settings = SettingsLoader.Load(configPath, console.Environment, flags, console.WorkingDirectory);
        }
        catch (SettingException e)
        {
            console.Fail(e.Message);
            return (int)ExitCode.Usage;
        }
        if (printConfig)
        {
            ConfigView.Render(console.Out, settings);
            return (int)ExitCode.Success;
        }
        WssServer server;
        try
        {
            server = await WssServer.StartAsync(settings.Options);
        }
        catch (CertificateException e)
        {
            console.Fail(e.Message);
            return (int)ExitCode.Usage;
        }
        catch (ServerStartException e)
        {
            console.Fail(e.Message);
            return (int)ExitCode.Failure;
        }
        await using (server)
        {
            StartupReportView.Render(console.Out, server.Report, settings);
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (StopSignals.Register(onStop: () => stop.TrySetResult(), onReload: () => server.ReloadCertificates()))
            {
                await Task.WhenAny(stop.Task, server.Completion);
                await server.StopAsync();
            }
        }
        return (int)ExitCode.Success;
    }
}
