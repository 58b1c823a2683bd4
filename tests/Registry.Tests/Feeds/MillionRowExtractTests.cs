using System.Text;
using Registry.Feeds;
using Registry.Ingest.Feeds;

namespace Registry.Tests.Feeds;

/// <summary>
/// A 1,000,000-row extract (about 100 MB, generated on the fly) through the real CSV reader with a
/// real feed definition: every row counted exactly once, and the reader streams — it never reads
/// more than its buffers ahead of the row it hands out, so memory does not grow with the file.
/// (Speed is measured by `make bench-ingest`, never here.) It runs alone: the held-memory check reads
/// the whole process's heap, which tests running beside it would fill (it failed 2 runs in 13 so).
/// </summary>
[Collection(MemoryMeasuringCollection.Name)]
public sealed class MillionRowExtractTests : IDisposable
{
    private const int Rows = 1_000_000;
    private const int BadEvery = 100;            // every 100th row carries an impossible service date (a required field)
    private const int ChunkSize = 500;           // the intake's default chunk

    /// <summary>Largest read-ahead allowed: the StreamReader's 64 KiB byte buffer plus CsvHelper's char buffer, with room to spare.</summary>
    private const long MaxReadAhead = 256 * 1024;

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"million-{Guid.NewGuid():N}.csv");

    private static readonly FeedDefinition Health = FeedCatalog.LoadFile(
        Path.Combine(FeedCatalogTests.RepoRoot(), "deploy", "feeds", "ssa-consultas.json"));

    [Fact]
    public void A_million_row_extract_is_read_row_by_row_with_exact_counts()
    {
        var rowEnds = WriteExtract();   // byte offset where each 10,000th row ends
        var progress = new ParseProgress();
        int rows = 0, accepted = 0, rejected = 0, lastRow = 0;
        long maxAhead = 0, heldAtMidpoint = 0;
        var chunk = new List<Registry.Contracts.SourceRow>(ChunkSize);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);

        foreach (var parsed in CsvExtractReader.Read(_path, Health, progress))
        {
            rows++;
            Assert.Equal(lastRow + 1, (parsed.Accepted?.RowNumber ?? parsed.Rejected!.RowNumber));
            lastRow = rows;
            if (parsed.Accepted is { } row)
            {
                accepted++;
                chunk.Add(row);
                if (chunk.Count == ChunkSize) chunk.Clear();   // what the intake does once a chunk is sent
            }
            else
            {
                rejected++;
                Assert.Contains("service_date '31/02/2026'", parsed.Rejected!.Reason, StringComparison.Ordinal);
            }
            if (rows % 10_000 == 0) maxAhead = Math.Max(maxAhead, progress.BytesRead - rowEnds[rows / 10_000 - 1]);
            if (rows == Rows / 2) heldAtMidpoint = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        }

        Assert.Equal((Rows, Rows - Rows / BadEvery, Rows / BadEvery), (rows, accepted, rejected));
        Assert.Equal(new FileInfo(_path).Length, progress.BytesRead);
        Assert.True(maxAhead <= MaxReadAhead, $"the reader ran {maxAhead:N0} bytes ahead of the row it yielded");
        // Half the file read (~50 MB) while at most one chunk is kept: live memory is a few MB, not the file.
        Assert.True(heldAtMidpoint < 16 * 1024 * 1024, $"{heldAtMidpoint:N0} bytes were held half-way through a {new FileInfo(_path).Length:N0}-byte file");
    }

    private long[] WriteExtract()
    {
        var ends = new long[Rows / 10_000];
        using var file = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new StreamWriter(file, new UTF8Encoding(false), 1 << 16);
        writer.Write("ID_PACIENTE,CURP,NOMBRE,PRIMER_APELLIDO,SEGUNDO_APELLIDO,SEXO,FECHA_NACIMIENTO,MUNICIPIO,TIPO_ATENCION,PROGRAMA,FECHA_ATENCION,ESTATUS\n");
        var line = new StringBuilder(160);
        for (var i = 1; i <= Rows; i++)
        {
            line.Clear().Append("EXP-").Append(i).Append(",,MARÍA JOSÉ,GONZÁLEZ,CANTÚ,M,")
                .Append("04/09/1967,REYNOSA,CONSULTA GENERAL,Atención primaria,")
                .Append(i % BadEvery == 0 ? "31/02/2026" : $"{1 + i % 28}/10/2026").Append(",ATENDIDO\n");
            writer.Write(line);
            if (i % 10_000 == 0)
            {
                writer.Flush();
                ends[i / 10_000 - 1] = file.Position;
            }
        }
        return ends;
    }

    public void Dispose() => File.Delete(_path);
}

/// <summary>Tests that measure the process's memory run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasuringCollection
{
    public const string Name = "memory-measuring";
}
