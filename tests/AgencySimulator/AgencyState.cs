using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Registry.AgencySimulator;

public enum Paging
{
    Token,
    UpdatedSince,
}

/// <summary>One participation as the agency's API returns it.</summary>
public sealed record Participation(
    string Folio, Beneficiary Beneficiario, Address Domicilio, string Programa, string Modalidad, string FechaInicio,
    string Estatus, string UpdatedAt);

public sealed record Beneficiary(
    string Id, string? Curp, string Nombre, string PrimerApellido, string? SegundoApellido, string Sexo, string FechaNacimiento,
    string? Telefono);

public sealed record Address(string? Colonia, string Municipio);

public sealed record Page(IReadOnlyList<Participation> Items, string? NextPageToken, int Total);

/// <summary>The simulated agency's data and faults; thread-safe, deterministic for a seed.</summary>
public sealed class AgencyState
{
    private readonly Lock _lock = new();
    private readonly SimulatorOptions _options;
    private List<Participation> _records;
    private Faults _faults;
    private Random _errors;
    private int _dataRequests, _served, _errorsServed, _hangsServed, _malformedServed, _unauthorized, _withKey, _redirects;

    public AgencyState(SimulatorOptions options)
    {
        _options = options;
        _records = SampleData.Generate(options.Records, options.Seed);
        _faults = options.Faults;
        _errors = new Random(options.Seed);
    }

    public Faults Faults
    {
        get
        {
            lock (_lock) return _faults;
        }
    }

    public void SetFaults(Faults faults)
    {
        lock (_lock) _faults = faults;
    }

    public void Reset()
    {
        lock (_lock)
        {
            _records = SampleData.Generate(_options.Records, _options.Seed);
            _faults = new Faults();
            _errors = new Random(_options.Seed);
            _dataRequests = _served = _errorsServed = _hangsServed = _malformedServed = _unauthorized = _withKey = _redirects = 0;
        }
    }

    /// <summary>An upstream change: the record gets a new status and a newer updatedAt.</summary>
    public Participation? Change(string folio, string status)
    {
        lock (_lock)
        {
            var index = _records.FindIndex(r => r.Folio == folio);
            if (index < 0) return null;
            var newest = _records.Max(r => DateTimeOffset.Parse(r.UpdatedAt, CultureInfo.InvariantCulture));
            var changed = _records[index] with { Estatus = status, UpdatedAt = SampleData.Stamp(newest.AddMinutes(1)) };
            _records[index] = changed;
            return changed;
        }
    }

    public object Stats()
    {
        lock (_lock)
        {
            return new
            {
                dataRequests = _dataRequests, pagesServed = _served, serverErrorsServed = _errorsServed, hangsServed = _hangsServed,
                malformedServed = _malformedServed, unauthorizedServed = _unauthorized, records = _records.Count,
                requestsWithKey = _withKey, redirectsServed = _redirects,
            };
        }
    }

    public async Task ServeAsync(HttpContext http, Paging paging, int? pageSize, string? cursor, CancellationToken ct)
    {
        var size = Math.Clamp(pageSize ?? 50, 1, 500);
        string? redirect = null;
        var status = StatusCodes.Status302Found;
        lock (_lock)
        {
            if (http.Request.Headers.ContainsKey(SimulatorApp.ApiKeyHeader)) _withKey++;
            if (_faults.RedirectTo is { } elsewhere) redirect = elsewhere;
            else if (_faults.SameOriginRedirects > 0)
            {
                _faults = _faults with { SameOriginRedirects = _faults.SameOriginRedirects - 1 };
                redirect = http.Request.Path + http.Request.QueryString;
                status = StatusCodes.Status307TemporaryRedirect;
            }
            if (redirect is not null) _redirects++;
        }
        if (redirect is not null)
        {
            // Before the key check: a gateway redirects whatever arrives.
            http.Response.StatusCode = status;
            http.Response.Headers.Location = redirect;
            return;
        }
        if (http.Request.Headers[SimulatorApp.ApiKeyHeader] != _options.ApiKey)
        {
            lock (_lock) _unauthorized++;
            await Problem(http, 401, "Falta la clave de acceso o no es válida (X-Api-Key).");
            return;
        }

        int offset;
        List<Participation> ordered;
        lock (_lock)
        {
            _dataRequests++;
            ordered = paging == Paging.Token ? [.. _records] : [.. _records.OrderBy(r => r.UpdatedAt, StringComparer.Ordinal)];
        }
        if (paging == Paging.Token)
        {
            if (!TryDecodeToken(cursor, out offset))
            {
                await Problem(http, 400, $"pageToken '{cursor}' no es válido.");
                return;
            }
        }
        else
        {
            DateTimeOffset? since = null;
            if (cursor is not null)
            {
                if (!DateTimeOffset.TryParse(cursor, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var s))
                {
                    await Problem(http, 400, $"updatedSince '{cursor}' no es una fecha ISO 8601.");
                    return;
                }
                since = s;
            }
            offset = since is null ? 0 : ordered.Count(r => DateTimeOffset.Parse(r.UpdatedAt, CultureInfo.InvariantCulture) <= since);
        }
        var pageNumber = offset / size + 1;

        // Faults, in the order a real API would show them.
        bool fail, hang, malformed, unauthorized;
        double hangSeconds;
        lock (_lock)
        {
            var f = _faults;
            unauthorized = f.Unauthorized;
            fail = f.ServerErrors > 0 || (f.ServerErrorRate > 0 && _errors.NextDouble() < f.ServerErrorRate);
            if (f.ServerErrors > 0) _faults = f with { ServerErrors = f.ServerErrors - 1 };
            hang = !fail && (f.Timeouts > 0 || (f.HangFromPage is { } from && pageNumber >= from));
            if (!fail && f.Timeouts > 0) _faults = _faults with { Timeouts = f.Timeouts - 1 };
            hangSeconds = f.HangSeconds;
            malformed = f.MalformedPage == pageNumber;
            if (unauthorized) _unauthorized++;
            else if (fail) _errorsServed++;
            else if (hang) _hangsServed++;
        }
        if (unauthorized)
        {
            await Problem(http, 401, "La clave de acceso fue revocada.");
            return;
        }
        if (fail)
        {
            await Problem(http, 503, "Servicio temporalmente no disponible.");
            return;
        }
        if (hang)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(hangSeconds), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        var items = ordered.Skip(offset).Take(size).ToList();
        var next = paging == Paging.Token && offset + size < ordered.Count ? EncodeToken(offset + size) : null;
        var body = JsonSerializer.SerializeToUtf8Bytes(new Page(items, next, ordered.Count), SimulatorApp.Json);
        if (malformed)
        {
            // Cut off mid-record, as a proxy that drops the connection's tail would.
            body = body.AsSpan(0, body.Length / 2).ToArray();
            lock (_lock) _malformedServed++;
        }
        lock (_lock) _served++;
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.Body.WriteAsync(body, ct);
    }

    private static string EncodeToken(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"o:{offset}"));

    private static bool TryDecodeToken(string? token, out int offset)
    {
        offset = 0;
        if (string.IsNullOrEmpty(token)) return true;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith("o:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(2), CultureInfo.InvariantCulture, out offset) && offset >= 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static Task Problem(HttpContext http, int status, string detail)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { status, detail });
    }
}
