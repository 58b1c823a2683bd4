using System.Security.Cryptography;
using System.Text;

namespace Registry.Ingest.Upload;

/// <summary>
/// Settings of section <c>Upload</c>. Agencies authenticate uploads with an API key scoped to their
/// agency; only the key's SHA-256 is configured (<c>Upload:ApiKeys:N:Agency</c>,
/// <c>Upload:ApiKeys:N:KeySha256</c>), so a leaked configuration does not leak keys.
/// </summary>
public sealed class UploadOptions
{
    /// <summary>Largest accepted extract, in bytes (default 1 GiB).</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    public List<AgencyApiKey> ApiKeys { get; set; } = [];

    /// <summary>The agency a presented key belongs to, or null (compared in constant time).</summary>
    public string? AgencyFor(string? presentedKey)
    {
        if (string.IsNullOrEmpty(presentedKey)) return null;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey));
        foreach (var key in ApiKeys)
        {
            if (key.KeySha256.Length == 64 &&
                CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(key.KeySha256)))
                return key.Agency;
        }
        return null;
    }
}

public sealed class AgencyApiKey
{
    public string Agency { get; set; } = "";
    public string KeySha256 { get; set; } = "";
}
