namespace WssKit.Cli.Bench;

/// <summary>
/// What every load loop asks before it sends: whether the run still sends, and how many of the messages it wants it
/// may send under --count. Without --count that costs one field read per batch; with it, one interlocked add.
/// </summary>
internal sealed class LoadControl
{
    private volatile bool _sending = true;
    private long _budget = long.MaxValue;
    private bool _limited;

    /// <summary>Whether new messages are still sent (false once the measured window is over or --count is used up).</summary>
    public bool Sending => _sending;

    /// <summary>Whether --count was reached.</summary>
    public bool Exhausted => _limited && Volatile.Read(ref _budget) <= 0;

    /// <summary>From now on at most <paramref name="count"/> more messages are sent (the measured window starts).</summary>
    public void Limit(long count)
    {
        Volatile.Write(ref _budget, count);
        _limited = true;
    }

    /// <summary>Stops every load loop from sending.</summary>
    public void Stop() => _sending = false;

    /// <summary>Asks to send <paramref name="wanted"/> messages; returns how many may go.</summary>
    public int Reserve(int wanted)
    {
        if (!_sending)
        {
            return 0;
        }
        if (!_limited || wanted == 0)
        {
            return wanted;
        }
        var left = Interlocked.Add(ref _budget, -wanted);
        return left >= 0 ? wanted : (int)Math.Max(0, wanted + left);
    }
}
