// Runs every case of an Autobahn|Testsuite fuzzingserver with WssKit's client: each message is echoed back as it
// came (text as text, binary as binary), and each close is answered. Then the suite writes its report.
// usage: dotnet run -c Release --project test/WssKit.Conformance -- ws://127.0.0.1:9010 [AGENT]
using WssKit.Client;

var server = new Uri(args.Length > 0 ? args[0] : "ws://127.0.0.1:9010");
var agent = args.Length > 1 ? args[1] : "wsskit-client";
var options = new WssClientOptions { MaxMessageSize = 64 << 20, HandshakeTimeout = TimeSpan.FromSeconds(30) };

await using (var counter = await WssClient.ConnectAsync(new Uri(server, "/getCaseCount"), options))
{
    var count = int.Parse((await counter.ReceiveAsync()).Text, System.Globalization.CultureInfo.InvariantCulture);
    Console.WriteLine($"{count} cases");
    for (var i = 1; i <= count; i++)
    {
        try
        {
            await using var client = await WssClient.ConnectAsync(new Uri(server, $"/runCase?case={i}&agent={agent}"), options);
            await foreach (var message in client.ReadAllAsync())
            {
                await client.SendAsync(message.Data, message.Kind == WssMessageKind.Text);
            }
        }
        catch (Exception e) when (e is WssConnectException or IOException or InvalidOperationException)
        {
            // Some cases end the connection abruptly on purpose: the suite judges it, the runner goes on.
            Console.WriteLine($"case {i}: {e.Message}");
        }
    }
}
await using (var report = await WssClient.ConnectAsync(new Uri(server, $"/updateReports?agent={agent}"), options))
{
    await report.ReceiveAsync();
}
Console.WriteLine("reports updated");
