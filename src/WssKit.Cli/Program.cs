using WssKit.Cli;

return await WssCli.RunAsync(args, CliConsole.System());
