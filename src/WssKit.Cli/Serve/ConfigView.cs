using Spectre.Console;
using WssKit.Server.Configuration;

namespace WssKit.Cli.Serve;

/// <summary>--print-config: every setting, its effective value, and where that value came from.</summary>
internal static class ConfigView
{
    public static void Render(IAnsiConsole console, EffectiveSettings settings)
    {
        console.MarkupLineInterpolated($"[bold]settings[/] (later layers win: default, {settings.ConfigFile ?? "no config file"}, WSS_* variables, flags)");
        var table = new Table().Border(TableBorder.Simple).AddColumns("setting", "value", "from");
        foreach (var setting in ServeSettings.All)
        {
            var origin = settings.Sources.TryGetValue(setting.Key, out var input) ? input.Origin : "default";
            table.AddRow(Markup.Escape(setting.Key), Markup.Escape(setting.Show(settings.Options)), Markup.Escape(origin));
        }
        console.Write(table);
    }
}
