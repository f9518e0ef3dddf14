using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Paddock.Core.Files;
using Paddock.Storage.Postgres.Internal;
using Paddock.Storage.Postgres.Writing;

namespace Paddock.Storage.Postgres;

/// <summary>Hosted files' metadata in <c>repo_files</c> and <c>file_commits</c>; obtained from <see cref="PostgresStore.Files"/>.</summary>
public sealed class PostgresFileStore : IFileStore
{
    private const string Columns = "namespace, repo, branch, path, content_hash, size, content_type, commit_id, updated_at";

    /// <summary><see cref="Columns"/> and the retention columns, as rows are read.</summary>
    private const string ReadColumns = Columns + ", pinned, expired_at";

    private readonly PostgresDatabase _database;
    private readonly TimeProvider _time;

    internal PostgresFileStore(PostgresDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    public Task<FileCommit> CommitAsync(string ns, string repo, string branch, string message, string author,
        IReadOnlyList<CommittedFile> files, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        now = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return _database.WriteAsync(context =>
        {
            // Commits to one branch take turns, across processes, until each commits: two uploads cannot both pass the
            // check below and together make a path both a file and a directory.
            using (var turn = context.Command("SELECT pg_advisory_xact_lock(@class, @branch)"))
            {
                turn.Parameters.Bind("class", AdvisoryLocks.FileBranchClass);
                turn.Parameters.Bind("branch", BranchKey(ns, repo, branch));
                turn.ExecuteNonQuery();
            }
            ThrowOnConflict(context, ns, repo, branch, files);

            string? parentId;
            using (var parent = context.Command("SELECT id FROM file_commits WHERE namespace = @ns AND repo = @repo AND branch = @branch ORDER BY created_at DESC, pos DESC LIMIT 1"))
            {
                parent.Parameters.Bind("ns", ns);
                parent.Parameters.Bind("repo", repo);
                parent.Parameters.Bind("branch", branch);
                parentId = parent.ExecuteScalar() as string;
            }

            using (var commit = context.Command("INSERT INTO file_commits (id, namespace, repo, branch, message, author, parent_id, created_at) VALUES (@id, @ns, @repo, @branch, @message, @author, @parent, @at)"))
            {
                commit.Parameters.Bind("id", id);
                commit.Parameters.Bind("ns", ns);
                commit.Parameters.Bind("repo", repo);
                commit.Parameters.Bind("branch", branch);
                commit.Parameters.Bind("message", message);
                commit.Parameters.Bind("author", author);
                commit.Parameters.Add(new NpgsqlParameter("parent", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)parentId ?? DBNull.Value });
                commit.Parameters.Bind("at", now);
                commit.ExecuteNonQuery();
            }

            foreach (var file in files)
            {
                using var upsert = context.Command($"""
                    INSERT INTO repo_files ({Columns}) VALUES (@ns, @repo, @branch, @path, @hash, @size, @type, @commit, @at)
                    ON CONFLICT (namespace, repo, branch, path) DO UPDATE SET
                        content_hash = excluded.content_hash, size = excluded.size, content_type = excluded.content_type,
                        commit_id = excluded.commit_id, updated_at = excluded.updated_at, expired_at = NULL
                    """);
                upsert.Parameters.Bind("ns", ns);
                upsert.Parameters.Bind("repo", repo);
                upsert.Parameters.Bind("branch", branch);
                upsert.Parameters.Bind("path", file.Path);
                upsert.Parameters.Bind("hash", file.ContentHash);
                upsert.Parameters.Bind("size", file.Size);
                upsert.Parameters.Bind("type", file.ContentType);
                upsert.Parameters.Bind("commit", id);
                upsert.Parameters.Bind("at", now);
                upsert.ExecuteNonQuery();
            }
            return new FileCommit(id, ns, repo, branch, message, author, parentId, now);
        }, cancellationToken);
    }

    /// <summary>A path is a file or a directory, never both: no file may sit below a file, or where files sit below.</summary>
    private static void ThrowOnConflict(PostgresWriteContext context, string ns, string repo, string branch, IReadOnlyList<CommittedFile> files)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (!paths.Add(file.Path)) throw new ArgumentException($"{file.Path} appears twice in one commit", nameof(files));
        }

        var notFiles = new HashSet<string>(StringComparer.Ordinal); // ancestors already looked up: files[] share theirs
        foreach (var file in files)
        {
            for (var slash = file.Path.IndexOf('/'); slash > 0; slash = file.Path.IndexOf('/', slash + 1))
            {
                var ancestor = file.Path[..slash];
                if (paths.Contains(ancestor) || (notFiles.Add(ancestor) && FileExists(context, ns, repo, branch, ancestor)))
                    throw new FilePathConflictException(file.Path, ancestor, conflictIsFile: true);
            }

            using var below = context.Command("SELECT path FROM repo_files WHERE namespace = @ns AND repo = @repo AND branch = @branch AND path >= @from AND path < @to ORDER BY path LIMIT 1");
            below.Parameters.Bind("ns", ns);
            below.Parameters.Bind("repo", repo);
            below.Parameters.Bind("branch", branch);
            below.Parameters.Bind("from", file.Path + "/");
            below.Parameters.Bind("to", file.Path + "0"); // '0' follows '/' in byte order (the column's collation is "C")
            if (below.ExecuteScalar() is string child) throw new FilePathConflictException(file.Path, child, conflictIsFile: false);
        }
    }

    private static bool FileExists(PostgresWriteContext context, string ns, string repo, string branch, string path)
    {
        using var exists = context.Command("SELECT 1 FROM repo_files WHERE namespace = @ns AND repo = @repo AND branch = @branch AND path = @path");
        exists.Parameters.Bind("ns", ns);
        exists.Parameters.Bind("repo", repo);
        exists.Parameters.Bind("branch", branch);
        exists.Parameters.Bind("path", path);
        return exists.ExecuteScalar() is not null;
    }

    public Task<RepoFile?> GetAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken = default) =>
        _database.ReadAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT {ReadColumns} FROM repo_files WHERE namespace = @ns AND repo = @repo AND branch = @branch AND path = @path", connection);
            command.Parameters.Bind("ns", ns);
            command.Parameters.Bind("repo", repo);
            command.Parameters.Bind("branch", branch);
            command.Parameters.Bind("path", path);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? Read(reader) : null;
        }, cancellationToken);

    public Task<bool> IsDirectoryAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken = default) =>
        _database.ReadAsync(async (connection, ct) =>
        {
            // Everything below "dir/" lies in ["dir/", "dir0"); the root holds every file of the branch.
            await using var command = new NpgsqlCommand(path.Length == 0
                ? "SELECT EXISTS (SELECT 1 FROM repo_files WHERE namespace = @ns AND repo = @repo AND branch = @branch)"
                : "SELECT EXISTS (SELECT 1 FROM repo_files WHERE namespace = @ns AND repo = @repo AND branch = @branch AND path >= @from AND path < @to)",
                connection);
            command.Parameters.Bind("ns", ns);
            command.Parameters.Bind("repo", repo);
            command.Parameters.Bind("branch", branch);
            if (path.Length > 0)
            {
                command.Parameters.Bind("from", path + "/");
                command.Parameters.Bind("to", path + "0");
            }
            return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);

    /// <summary>The branch's advisory lock key: 32 bits of a hash of its full name (a collision only makes two branches take turns).</summary>
    private static int BranchKey(string ns, string repo, string branch) =>
        BinaryPrimitives.ReadInt32LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"{ns}\n{repo}\n{branch}")));

    public Task<RepoFile?> SetPinnedAsync(string ns, string repo, string branch, string path, bool pinned, CancellationToken cancellationToken = default) =>
        _database.WriteAsync(context =>
        {
            using var update = context.Command($"""
                UPDATE repo_files SET pinned = CASE WHEN expired_at IS NULL THEN @pinned ELSE pinned END
                WHERE namespace = @ns AND repo = @repo AND branch = @branch AND path = @path
                RETURNING {ReadColumns}
                """);
            BindKey(update, ns, repo, branch, path);
            update.Parameters.Bind("pinned", pinned);
            using var reader = update.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, cancellationToken);

    public Task<RepoFile?> DeleteAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken = default) =>
        _database.WriteAsync(context =>
        {
            using var delete = context.Command($"DELETE FROM repo_files WHERE namespace = @ns AND repo = @repo AND branch = @branch AND path = @path RETURNING {ReadColumns}");
            BindKey(delete, ns, repo, branch, path);
            using var reader = delete.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<RepoFile>> ExpireAsync(Paddock.Core.Retention.ExpiryScope scope, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var now = _time.GetUtcNow();
        now = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        return _database.WriteAsync<IReadOnlyList<RepoFile>>(context =>
        {
            // SKIP LOCKED: a file another process's sweep holds is left to it, so each file is marked once.
            using var command = context.Command($"""
                WITH chosen AS (
                    SELECT namespace, repo, branch, path FROM repo_files
                    WHERE NOT pinned AND expired_at IS NULL AND updated_at <= @before{PostgresGenerationStore.ScopeFilter(scope)}
                    ORDER BY updated_at LIMIT @limit
                    FOR UPDATE SKIP LOCKED)
                UPDATE repo_files f SET expired_at = @now
                FROM chosen
                WHERE f.namespace = chosen.namespace AND f.repo = chosen.repo AND f.branch = chosen.branch AND f.path = chosen.path
                RETURNING f.namespace, f.repo, f.branch, f.path, f.content_hash, f.size, f.content_type, f.commit_id, f.updated_at, f.pinned, f.expired_at
                """);
            command.Parameters.Bind("before", scope.Before);
            command.Parameters.Bind("limit", limit);
            command.Parameters.Bind("now", now);
            PostgresGenerationStore.BindScope(command, scope);
            var files = new List<RepoFile>();
            using var reader = command.ExecuteReader();
            while (reader.Read()) files.Add(Read(reader));
            return files;
        }, cancellationToken);
    }

    public Task<bool> IsContentInUseAsync(string contentHash, CancellationToken cancellationToken = default) =>
        _database.ReadAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM repo_files WHERE content_hash = @hash AND expired_at IS NULL)", connection);
            command.Parameters.Bind("hash", contentHash);
            return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);

    private static void BindKey(NpgsqlCommand command, string ns, string repo, string branch, string path)
    {
        command.Parameters.Bind("ns", ns);
        command.Parameters.Bind("repo", repo);
        command.Parameters.Bind("branch", branch);
        command.Parameters.Bind("path", path);
    }

    private static RepoFile Read(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
        reader.GetString(4), reader.GetInt64(5), reader.GetString(6), reader.GetString(7),
        GenerationRows.Time(reader, 8), reader.GetBoolean(9), GenerationRows.NullableTime(reader, 10));
}
