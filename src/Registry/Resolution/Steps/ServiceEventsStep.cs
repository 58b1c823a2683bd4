using Npgsql;
using Registry.Contracts;

namespace Registry.Resolution.Steps;

/// <summary>
/// Part of the attachments (<see cref="AttachmentsStep"/>, outside the resolution lock, under the attachments lock): each live row with a programme or service type is a service event of its
/// person (metadata only); the service event of a record version it supersedes is superseded too, kept for
/// history (<c>ServiceEventsStep.sql</c>).
/// </summary>
internal static class ServiceEventsStep
{
    private static readonly string Sql = StepSql.Load("ServiceEventsStep.sql");

    public static async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ResolveSourceRows chunk, CancellationToken ct, bool locked = false)
    {
        using var span = ResolutionTelemetry.Step("service-events", locked);
        await StepSql.ExecuteAsync(connection, tx, Sql, ct, ("agency", chunk.AgencyCode), ("sector", chunk.Sector));
    }
}
