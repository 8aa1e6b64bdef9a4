using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Cli;

/// <summary>wss as a .NET tool: packed, installed into a tool path, run from there.</summary>
public sealed class ToolPackageTests
{
    [Fact]
    public async Task PackAndInstall_ToolPath_WssVersionAndHelpRun()
    {
        using var temp = new TempDirectory();
        var packages = temp.File("nupkg");
        var tools = temp.File("tools");

        // The tool was built (Release) with the tests; packing reuses that build.
        var pack = await Tool.RunAsync("dotnet", ["pack", Path.Combine(Repository.Root, "src", "WssKit.Cli", "WssKit.Cli.csproj"), "-c", "Release",
            "--no-build", "-o", packages, "--nologo"], TimeSpan.FromMinutes(5));
        Assert.True(pack.ExitCode == 0, pack.All);
        var install = await Tool.RunAsync("dotnet", ["tool", "install", "wsskit", "--tool-path", tools, "--add-source", packages], TimeSpan.FromMinutes(3));
        Assert.True(install.ExitCode == 0, install.All);

        var version = await Tool.RunAsync(Path.Combine(tools, "wss"), ["--version"]);
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Output.Trim());
        var help = await Tool.RunAsync(Path.Combine(tools, "wss"), ["serve", "--help"]);
        Assert.Contains("--cert <PATH>", help.Output);
        Assert.Contains("[env: WSS_PORT]", help.Output);
    }
}
