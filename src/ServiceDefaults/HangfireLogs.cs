using Hangfire.Logging;
using Microsoft.Extensions.Logging;
using HangfireLevel = Hangfire.Logging.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Registry.ServiceDefaults;

/// <summary>
/// Hangfire's log provider for both hosts. Hangfire keeps one provider for the whole process, and its classes take
/// their loggers once, in static initialisers; the provider <c>AddHangfire</c> installs wraps the host's
/// <see cref="ILoggerFactory"/>, so once that host stopped (the tests start many hosts in one process) every such
/// initialiser threw <see cref="ObjectDisposedException"/> — a type initialiser that throws stays broken for the
/// process: the next host could not install Hangfire's schema. These loggers look the newest host's factory up when
/// they write, and write nothing when it is gone.
/// </summary>
public sealed class HangfireLogs : ILogProvider
{
    private static readonly HangfireLogs Instance = new();
    private static volatile ILoggerFactory? current;

    private HangfireLogs() { }

    /// <summary>The provider, writing from now on through <paramref name="factory"/> (the host being built).</summary>
    public static ILogProvider For(ILoggerFactory factory)
    {
        current = factory;
        return Instance;
    }

    public ILog GetLogger(string name) => new HostLog(name);

    private sealed class HostLog(string name) : ILog
    {
        public bool Log(HangfireLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            if (current is not { } factory) return false;
            var level = logLevel switch
            {
                HangfireLevel.Trace => LogLevel.Trace,
                HangfireLevel.Debug => LogLevel.Debug,
                HangfireLevel.Info => LogLevel.Information,
                HangfireLevel.Warn => LogLevel.Warning,
                HangfireLevel.Error => LogLevel.Error,
                _ => LogLevel.Critical,
            };
            try
            {
                var logger = factory.CreateLogger(name);
                if (messageFunc is null) return logger.IsEnabled(level);
                if (!logger.IsEnabled(level)) return false;
                logger.Log(level, default, messageFunc(), exception, static (message, _) => message);
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false; // the host that logged through it has stopped
            }
        }
    }
}
