using Hangfire.Logging;
using Microsoft.Extensions.Logging;
using Registry.ServiceDefaults;

namespace Registry.Tests.Workers;

/// <summary>
/// Hangfire takes its loggers once per process, in static initialisers. When they were bound to a host's logger
/// factory, a host started after that one stopped could not install Hangfire's schema (the CI run of 2026-12-06 lost
/// 793 API tests to it): a logger taken now must survive the host it came from.
/// </summary>
public sealed class HangfireLogsTests
{
    [Fact]
    public void A_logger_taken_while_one_host_ran_writes_to_the_next_host_after_the_first_stopped()
    {
        var first = new Captured();
        var firstFactory = LoggerFactory.Create(b => b.AddProvider(first).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Trace));
        var log = HangfireLogs.For(firstFactory).GetLogger("Hangfire.PostgreSql.PostgreSqlStorage");
        log.Log(Hangfire.Logging.LogLevel.Info, () => "installing");
        firstFactory.Dispose();

        // The first host is gone: logging neither throws nor reaches it.
        Assert.False(log.Log(Hangfire.Logging.LogLevel.Error, () => "after the first host stopped"));
        var second = new Captured();
        using var secondFactory = LoggerFactory.Create(b => b.AddProvider(second).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Trace));
        _ = HangfireLogs.For(secondFactory);
        Assert.True(log.Log(Hangfire.Logging.LogLevel.Warn, () => "second host", new InvalidOperationException("why")));

        Assert.Equal(["installing"], first.Messages);
        Assert.Equal(["second host"], second.Messages);
    }

    private sealed class Captured : ILoggerProvider
    {
        public List<string> Messages { get; } = [];
        public ILogger CreateLogger(string categoryName) => new Logger(Messages);
        public void Dispose() { }

        private sealed class Logger(List<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
            public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Add(formatter(state, exception));
        }
    }
}
