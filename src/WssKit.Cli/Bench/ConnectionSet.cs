using WssKit.Client;

namespace WssKit.Cli.Bench;

/// <summary>The connections of an echo, latency or idle run: opened C at a time, summed, and ended together.</summary>
internal sealed class ConnectionSet(BenchConnector connector, FramePool pool, int readBuffer)
{
    private readonly List<LoadConnection> _connections = [];

    public IReadOnlyList<LoadConnection> Connections => _connections;

    public string? TlsVersion { get; private set; }

    public string? Cipher { get; private set; }

    /// <summary>
    /// Opens <paramref name="count"/> connections, <paramref name="concurrency"/> at a time. The first failure stops
    /// the opening and is thrown (with its stage) unless <paramref name="keepGoing"/>, which counts it and goes on.
    /// </summary>
    public async Task OpenAsync(int count, int concurrency, BenchResult result, bool keepGoing, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var next = 0;
        WssConnectException? first = null;
        async Task Worker()
        {
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref next) <= count)
            {
                try
                {
                    var opened = await connector.OpenAsync(stop.Token);
                    var connection = new LoadConnection(opened, pool, readBuffer)
                    {
                        Cursor = Random.Shared.Next(pool.Frames),
                    };
                    lock (_connections)
                    {
                        _connections.Add(connection);
                        TlsVersion ??= opened.TlsVersion;
                        Cipher ??= opened.Cipher;
                    }
                }
                catch (WssConnectException e) when (keepGoing)
                {
                    result.AddFailure(e.Stage.ToString().ToLowerInvariant(), e.Message);
                }
                catch (WssConnectException e)
                {
                    Interlocked.CompareExchange(ref first, e, null);
                    await stop.CancelAsync();
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, count)).Select(_ => Task.Run(Worker, CancellationToken.None)));
        if (first is not null)
        {
            DisposeAll();
            throw first;
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>The sum of a counter over every connection, read while the loops run.</summary>
    public long Sum(Func<LoadConnection, long> counter)
    {
        long total = 0;
        foreach (var connection in _connections)
        {
            total += counter(connection);
        }
        return total;
    }

    public long Sent => Sum(c => Volatile.Read(ref c.Sent));

    public long Received => Sum(c => Volatile.Read(ref c.Received));

    /// <summary>Copies the final counters and errors into the result.</summary>
    public void Report(BenchResult result)
    {
        result.TlsVersion = TlsVersion;
        result.Cipher = Cipher;
        result.Opened = _connections.Count;
        result.Sent = Sent;
        result.Received = Received;
        result.Corrupted = Sum(c => c.Scanner.Corrupted);
        foreach (var connection in _connections)
        {
            if (connection.Error is { } error)
            {
                result.Dropped++;
                result.AddError(error);
            }
        }
    }

    /// <summary>Ends every connection at once: the hard limit.</summary>
    public void DisposeAll()
    {
        LoadConnection[] all;
        lock (_connections)
        {
            all = [.. _connections];
        }
        foreach (var connection in all)
        {
            connection.Dispose();
        }
    }
}
