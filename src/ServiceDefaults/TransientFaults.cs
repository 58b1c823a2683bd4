using System.Net.Sockets;
using MassTransit;
using Npgsql;

namespace Registry.ServiceDefaults;

/// <summary>
/// Which failures waiting can fix: the database or the broker is unreachable, restarting, failing over,
/// refusing connections, or a lock or serialisation conflict. A chunk that fails with one of these is
/// retried until the outage ends (<see cref="RegistryBus"/>); anything else is the chunk's own fault
/// (a poison message) and goes to the error queue after a few quick retries.
/// </summary>
public static class TransientFaults
{
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return IsTransientSqlState(pg.SqlState);
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true;
                case SocketException or TimeoutException or EndOfStreamException:
                    return true;
                case IOException when e.InnerException is null or SocketException:
                    return true;
                case MassTransitException when e.GetType().Name.Contains("Connection", StringComparison.Ordinal) || e.GetType().Name.Contains("Unavailable", StringComparison.Ordinal):
                    return true; // e.g. RabbitMqConnectionException: the broker is unreachable
            }
            if (e.GetType().Namespace?.StartsWith("RabbitMQ.Client", StringComparison.Ordinal) == true) return true;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsTransient)) return true;
        }
        return false;
    }

    /// <summary>
    /// SQLSTATEs of a server that is going away or coming back (class 08 connection exceptions, 57P01–57P05
    /// shutdown and crash, 53 insufficient resources, read-only transaction on a demoted primary) and of
    /// conflicts a retry resolves (40001 serialisation, 40P01 deadlock, 55P03 lock wait timed out).
    /// </summary>
    public static bool IsTransientSqlState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState is "57P01" or "57P02" or "57P03" or "57P04" or "57P05"
        || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState is "25006" // read_only_sql_transaction: connected to a standby or a demoted primary
        || sqlState is "40001" or "40P01" or "55P03"
        || sqlState is "58000" or "58030"; // system / io error on the server
}
