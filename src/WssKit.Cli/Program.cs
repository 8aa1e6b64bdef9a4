using WssKit.Cli;

// Socket completions run their continuations on the epoll thread instead of the thread pool (read once, when the
// first socket is made). The server's receive path never blocks, so this saves a thread hop per read.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

return await WssCli.RunAsync(args, CliConsole.System());
