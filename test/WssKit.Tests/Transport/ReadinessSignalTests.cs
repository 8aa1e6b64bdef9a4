using WssKit.Server.Transport;

namespace WssKit.Tests.Transport;

public sealed class ReadinessSignalTests
{
    [Fact]
    public void Wait_AnEventCameAfterTheCountWasRead_CompletesAtOnce()
    {
        var signal = new ReadinessSignal();
        var seen = signal.Events;
        signal.Signal();

        Assert.True(signal.WaitAsync(seen).IsCompletedSuccessfully);
    }

    [Fact]
    public void Wait_NoEventSinceTheCount_PendsAndTheNextEventRunsTheContinuationOnTheSignallingThread()
    {
        var signal = new ReadinessSignal();
        var wait = signal.WaitAsync(signal.Events);
        Assert.False(wait.IsCompleted);
        var ranOn = -1;
        _ = wait.AsTask().ContinueWith(_ => ranOn = Environment.CurrentManagedThreadId, TaskContinuationOptions.ExecuteSynchronously);

        var loop = new Thread(signal.Signal);
        loop.Start();
        loop.Join();

        Assert.Equal(loop.ManagedThreadId, ranOn);
    }

    [Fact]
    public async Task Wait_AfterAnotherWaitCompleted_PendsAgainUntilTheNextEvent()
    {
        var signal = new ReadinessSignal();
        var first = signal.WaitAsync(signal.Events);
        signal.Signal();
        await first;

        var second = signal.WaitAsync(signal.Events).AsTask();
        Assert.False(second.IsCompleted);
        signal.Signal();
        await second.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Wait_Cancelled_ThrowsOperationCanceledAndALaterEventIsOnlyCounted()
    {
        var signal = new ReadinessSignal();
        using var cancel = new CancellationTokenSource();
        var wait = signal.WaitAsync(signal.Events, cancel.Token).AsTask();

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        var seen = signal.Events;
        signal.Signal();
        Assert.Equal(seen + 1, signal.Events);
    }

    [Fact]
    public async Task End_WakesTheWaiterWithAnIOExceptionAndEveryLaterWaitFails()
    {
        var signal = new ReadinessSignal();
        var wait = signal.WaitAsync(signal.Events).AsTask();

        signal.End();

        await Assert.ThrowsAsync<IOException>(() => wait);
        await Assert.ThrowsAsync<IOException>(() => signal.WaitAsync(signal.Events).AsTask());
    }
}
