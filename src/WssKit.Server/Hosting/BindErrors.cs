using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;

namespace WssKit.Server.Hosting;

/// <summary>Turns Kestrel's bind failures into one line that says what to do.</summary>
internal static partial class BindErrors
{
    public static ServerStartException Explain(Exception exception, IReadOnlyList<string> addresses)
    {
        var chain = new List<Exception>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            chain.Add(current);
        }
        var where = chain.Select(e => AddressIn(e.Message)).FirstOrDefault(address => address is not null) ?? string.Join(", ", addresses);
        var port = where[(where.LastIndexOf(':') + 1)..];
        if (chain.OfType<AddressInUseException>().Any() || chain.OfType<SocketException>().Any(e => e.SocketErrorCode == SocketError.AddressAlreadyInUse))
        {
            return new ServerStartException(
                $"cannot listen on {where}: the port is already in use (see which process holds it: ss -ltnp 'sport = :{port}'); stop that process or choose another port with --port or --listen", exception);
        }
        if (chain.OfType<SocketException>().Any(e => e.SocketErrorCode == SocketError.AccessDenied))
        {
            return new ServerStartException(
                $"cannot listen on {where}: permission denied, ports below 1024 need a privilege; either run as a systemd service with AmbientCapabilities=CAP_NET_BIND_SERVICE (docs/deploy.md) or give the runtime that capability: sudo setcap cap_net_bind_service=+ep $(readlink -f $(command -v dotnet))", exception);
        }
        if (chain.OfType<SocketException>().Any(e => e.SocketErrorCode == SocketError.AddressNotAvailable))
        {
            return new ServerStartException(
                $"cannot listen on {where}: no network interface of this machine has that address; use one it has (ip -brief address) or 0.0.0.0 / [::] for all", exception);
        }
        return new ServerStartException($"cannot listen on {where}: {chain[^1].Message.TrimEnd('.')}", exception);
    }

    private static string? AddressIn(string message)
        => AddressPattern().Match(message) is { Success: true } match ? $"{match.Groups[1].Value}:{match.Groups[2].Value}" : null;

    [GeneratedRegex(@"https?://(\[[^\]]+\]|[^:/\s]+):(\d+)")]
    private static partial Regex AddressPattern();
}
