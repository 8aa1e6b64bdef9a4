using System.Text;
using System.Threading.Channels;
using WssKit.Client;
using WssKit.FunctionalTests.Infrastructure;
using WssKit.Server.Configuration;

namespace WssKit.FunctionalTests.Client;

/// <summary>The reconnecting client across a real server restart: events, backoff, pings, and one message stream.</summary>
public sealed class ReconnectTests
{
    [Fact]
    public async Task ServerRestarts_ClientReportsTheCloseRetriesWithBackoffAndCarriesOn()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["127.0.0.1"]).WriteFiles();
        var port = LoopbackPort.Free();
        void Configure(WssServerOptions options) => (options.Listen, options.Cert, options.Key) = ([$"127.0.0.1:{port}"], cert, key);
        var server = await TestServer.StartAsync(Configure);
        var events = Channel.CreateUnbounded<ConnectionEvent>();
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(1), PingInterval = TimeSpan.FromMilliseconds(100) };
        await using var client = new ReconnectingWssClient(new Uri($"wss://127.0.0.1:{port}/echo"), new WssClientOptions { TrustedCaFile = pki.RootPath }, policy);
        client.StateChanged += change => events.Writer.TryWrite(change);
        await using var messages = client.ReadAllAsync().GetAsyncEnumerator();
        try
        {
            await client.StartAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(ConnectionEventKind.Connected, (await NextAsync(events)).Kind);
            await client.SendAsync(Encoding.UTF8.GetBytes("before"), text: true);
            Assert.Equal("before", await ReceiveAsync(messages));
            await WaitUntilAsync(() => client.LastRoundTrip is not null);

            await server.DisposeAsync();
            var lost = await NextAsync(events);
            var retries = new List<ConnectionEvent>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
            while (DateTime.UtcNow < deadline)
            {
                retries.Add(await NextAsync(events));
            }
            server = await TestServer.StartAsync(Configure);
            ConnectionEvent back;
            while ((back = await NextAsync(events)).Kind == ConnectionEventKind.Reconnecting)
            {
                retries.Add(back);
            }
            await client.SendAsync(Encoding.UTF8.GetBytes("after"), text: true);

            Assert.Equal((ConnectionEventKind.Disconnected, 1001), (lost.Kind, lost.CloseCode));
            Assert.True(retries.Count >= 3, string.Join('\n', retries));
            Assert.All(retries, retry => Assert.Equal(ConnectionEventKind.Reconnecting, retry.Kind));
            Assert.All(retries, retry => Assert.InRange(retry.Delay, TimeSpan.Zero, policy.MaxDelay));
            Assert.Contains(retries, retry => retry.Reason?.Contains("refused the connection", StringComparison.Ordinal) == true);
            Assert.Equal(ConnectionEventKind.Connected, back.Kind);
            Assert.Equal("after", await ReceiveAsync(messages));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static async Task<ConnectionEvent> NextAsync(Channel<ConnectionEvent> events)
        => await events.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    private static async Task<string> ReceiveAsync(IAsyncEnumerator<WssMessage> messages)
    {
        Assert.True(await messages.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        return messages.Current.Text!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true within 10 s");
            await Task.Delay(20);
        }
    }
}
