using System.Text.Json;
using Hl7.Fhir.Serialization;
using R4 = Hl7.Fhir.Model;

namespace Registry.Api.Fhir;

/// <summary>FHIR JSON in and out (Firely's System.Text.Json converters), and the OperationOutcome every refusal carries.</summary>
public static class FhirJson
{
    public const string MediaType = "application/fhir+json";

    /// <summary>Largest request body read: a Parameters resource with one Patient is a few kilobytes.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    private static readonly JsonSerializerOptions Options = new JsonSerializerOptions().ForFhir(R4.ModelInfo.ModelInspector);

    public static string Serialize(R4.Resource resource) => JsonSerializer.Serialize(resource, Options);

    /// <summary>Parses a resource; on failure, what is wrong with it (for an OperationOutcome).</summary>
    public static (R4.Resource? Resource, string? Error) Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<R4.Resource>(text, Options) is { } resource ? (resource, null) : (null, "The body is not a FHIR resource.");
        }
        catch (DeserializationFailedException e)
        {
            return (null, "The body is not a valid FHIR R4 resource: " +
                          string.Join("; ", e.Exceptions.Take(5).Select(x => x.Message)));
        }
        catch (JsonException e)
        {
            return (null, "The body is not JSON: " + e.Message);
        }
    }

    /// <summary>A resource as the answer, <c>application/fhir+json</c>.</summary>
    public static IResult Result(R4.Resource resource, int status = StatusCodes.Status200OK) =>
        Results.Text(Serialize(resource), MediaType + "; charset=utf-8", System.Text.Encoding.UTF8, status);

    /// <summary>An OperationOutcome with one error issue.</summary>
    public static IResult Outcome(int status, R4.OperationOutcome.IssueType code, string diagnostics) =>
        Result(new R4.OperationOutcome
        {
            Issue = [new R4.OperationOutcome.IssueComponent
            {
                Severity = R4.OperationOutcome.IssueSeverity.Error, Code = code, Diagnostics = diagnostics,
            }],
        }, status);
}
