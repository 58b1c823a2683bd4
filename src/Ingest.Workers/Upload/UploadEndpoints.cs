using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Registry.Feeds;
using Registry.Ingest.Inbox;

namespace Registry.Ingest.Upload;

/// <summary>
/// HTTP upload of a CSV extract, for agencies that cannot write to an inbox folder.
/// <c>POST /feeds/{feed}/extracts?fileName=…</c> with the raw file as body and the agency's key in
/// <c>X-Api-Key</c>. The body is streamed to the archive while hashed (never held in memory); the
/// answer comes once the extract is registered, and parsing continues in the background.
/// </summary>
public static class UploadEndpoints
{
    public const string ApiKeyHeader = "X-Api-Key";

    public static void MapUploads(this WebApplication app) =>
        app.MapPost("/feeds/{feed}/extracts", Upload).WithName("UploadExtract");

    private static async Task<IResult> Upload(
        string feed, string? fileName, HttpContext http, FeedCatalog feeds, ExtractIntake intake, UploadedExtractParser parsing,
        IOptions<UploadOptions> options, CancellationToken ct)
    {
        var agency = options.Value.AgencyFor(http.Request.Headers[ApiKeyHeader]);
        if (agency is null)
            return Results.Problem($"Send your agency's API key in the {ApiKeyHeader} header.", statusCode: StatusCodes.Status401Unauthorized);
        if (feeds.Find(feed) is not { } definition)
            return Results.Problem($"Unknown feed '{feed}'.", statusCode: StatusCodes.Status404NotFound);
        if (!string.Equals(definition.Agency.Code, agency, StringComparison.Ordinal))
            return Results.Problem($"Feed '{feed}' belongs to another agency.", statusCode: StatusCodes.Status403Forbidden);
        if (definition.Kind == FeedKinds.ApiPull)
            return Results.Problem($"Feed '{feed}' is pulled from the agency's API; it takes no uploads.", statusCode: StatusCodes.Status409Conflict);
        if (http.Request.ContentLength > options.Value.MaxBytes)
            return TooLarge(options.Value.MaxBytes);

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.Value.MaxBytes + 1;
        var name = Path.GetFileName(string.IsNullOrWhiteSpace(fileName) ? $"{feed}-{DateTime.UtcNow:yyyyMMddHHmmss}.csv" : fileName);
        try
        {
            var received = await intake.RegisterAsync(definition, http.Request.Body, name, options.Value.MaxBytes, ct);
            if (!received.Duplicate) parsing.Enqueue(received.ExtractId, definition, received.ArchivePath);
            var body = new { extractId = received.ExtractId, duplicate = received.Duplicate, sha256 = received.Sha256, report = $"/api/extracts/{received.ExtractId}" };
            return received.Duplicate ? Results.Ok(body) : Results.Accepted(body.report, body);
        }
        catch (ExtractTooLargeException)
        {
            return TooLarge(options.Value.MaxBytes);
        }
    }

    private static IResult TooLarge(long max) =>
        Results.Problem($"The extract is larger than the limit of {max:N0} bytes; split it or ask for Upload:MaxBytes to be raised.",
            statusCode: StatusCodes.Status413PayloadTooLarge);
}
