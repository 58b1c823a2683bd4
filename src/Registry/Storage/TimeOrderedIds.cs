using System.Security.Cryptography;

namespace Registry.Storage;

/// <summary>
/// UUIDv7 ids (RFC 9562: Unix milliseconds, then random bits), as <see cref="Guid.CreateVersion7()"/>
/// makes them, from a per-thread pool of cryptographically secure random bytes refilled 4 KB at a
/// time. <see cref="Guid.CreateVersion7()"/> asks the kernel for 16 bytes per id (a <c>getrandom</c>
/// system call each); a resolver makes three or four ids a record.
/// </summary>
public static class TimeOrderedIds
{
    [ThreadStatic] private static byte[]? pool;
    [ThreadStatic] private static int next;

    public static Guid Next()
    {
        var bytes = pool;
        if (bytes is null || next + 10 > bytes.Length)
        {
            bytes = pool ??= new byte[4096];
            RandomNumberGenerator.Fill(bytes);
            next = 0;
        }
        var r = bytes.AsSpan(next, 10);
        next += 10;
        var ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return new Guid((int)(ms >> 16), (short)ms,
            (short)(0x7000 | ((r[0] & 0x0F) << 8) | r[1]), // version 7, 12 random bits
            (byte)(0x80 | (r[2] & 0x3F)), r[3], r[4], r[5], r[6], r[7], r[8], r[9]); // variant 10, 62 random bits
    }
}
