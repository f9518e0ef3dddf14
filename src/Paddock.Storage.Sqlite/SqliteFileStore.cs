using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Paddock.Core.Files;
using Paddock.Storage.Sqlite.Internal;
using Paddock.Storage.Sqlite.Writing;

namespace Paddock.Storage.Sqlite;

/// <summary>Hosted files' metadata in <c>repo_files</c> and <c>file_commits</c>; obtained from <see cref="SqliteStore.Files"/>.</summary>
public sealed class SqliteFileStore : IFileStore
{
    private const string Columns = "namespace, repo, branch, path, content_hash, size, content_type, commit_id, updated_at";

    /// <summary><see cref="Columns"/> and the retention columns, as rows are read.</summary>
    private const string ReadColumns = Columns + ", pinned, expired_at";

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    internal SqliteFileStore(SqliteDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    public Task<FileCommit> CommitAsync(string ns, string repo, string branch, string message, string author,
        IReadOnlyList<CommittedFile> files, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return _database.WriteAsync(context =>
        {
            // Checked on the writer, in the commit's own transaction: two uploads cannot both pass and make a conflict.
            ThrowOnConflict(context, ns, repo, branch, files);

            var parent = context.Command("SELECT id FROM file_commits WHERE namespace = $ns AND repo = $repo AND branch = $branch ORDER BY created_at DESC, rowid DESC LIMIT 1");
            parent.Parameters.Add("$ns", ns);
            parent.Parameters.Add("$repo", repo);
            parent.Parameters.Add("$branch", branch);
            var parentId = parent.ExecuteScalar() as string;

            var commit = context.Command("INSERT INTO file_commits (id, namespace, repo, branch, message, author, parent_id, created_at) VALUES ($id, $ns, $repo, $branch, $message, $author, $parent, $at)");
            commit.Parameters.Add("$id", id);
            commit.Parameters.Add("$ns", ns);
            commit.Parameters.Add("$repo", repo);
            commit.Parameters.Add("$branch", branch);
            commit.Parameters.Add("$message", message);
            commit.Parameters.Add("$author", author);
            commit.Parameters.Add("$parent", parentId);
            commit.Parameters.Add("$at", SqliteValues.ToUnixMilliseconds(now));
            commit.ExecuteNonQuery();

            var upsert = context.Command($"""
                INSERT INTO repo_files ({Columns}) VALUES ($ns, $repo, $branch, $path, $hash, $size, $type, $commit, $at)
                ON CONFLICT (namespace, repo, branch, path) DO UPDATE SET
                    content_hash = excluded.content_hash, size = excluded.size, content_type = excluded.content_type,
                    commit_id = excluded.commit_id, updated_at = excluded.updated_at, expired_at = NULL
                """);
            foreach (var file in files)
            {
                upsert.Parameters.Clear(); // one prepared statement, fresh parameters per file
                upsert.Parameters.Add("$ns", ns);
                upsert.Parameters.Add("$repo", repo);
                upsert.Parameters.Add("$branch", branch);
                upsert.Parameters.Add("$path", file.Path);
                upsert.Parameters.Add("$hash", file.ContentHash);
                upsert.Parameters.Add("$size", file.Size);
                upsert.Parameters.Add("$type", file.ContentType);
                upsert.Parameters.Add("$commit", id);
                upsert.Parameters.Add("$at", SqliteValues.ToUnixMilliseconds(now));
                upsert.ExecuteNonQuery();
            }
            return new FileCommit(id, ns, repo, branch, message, author, parentId, now);
        }, cancellationToken);
    }

    /// <summary>A path is a file or a directory, never both: no file may sit below a file, or where files sit below.</summary>
    private static void ThrowOnConflict(SqliteWriteContext context, string ns, string repo, string branch, IReadOnlyList<CommittedFile> files)
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

            var below = context.Command("SELECT path FROM repo_files WHERE namespace = $ns AND repo = $repo AND branch = $branch AND path >= $from AND path < $to ORDER BY path LIMIT 1");
            below.Parameters.Add("$ns", ns);
            below.Parameters.Add("$repo", repo);
            below.Parameters.Add("$branch", branch);
            below.Parameters.Add("$from", file.Path + "/");
            below.Parameters.Add("$to", file.Path + "0"); // '0' follows '/': see IsDirectoryAsync
            if (below.ExecuteScalar() is string child) throw new FilePathConflictException(file.Path, child, conflictIsFile: false);
        }
    }

    private static bool FileExists(SqliteWriteContext context, string ns, string repo, string branch, string path)
    {
        var exists = context.Command("SELECT 1 FROM repo_files WHERE namespace = $ns AND repo = $repo AND branch = $branch AND path = $path");
        exists.Parameters.Add("$ns", ns);
        exists.Parameters.Add("$repo", repo);
        exists.Parameters.Add("$branch", branch);
        exists.Parameters.Add("$path", path);
        return exists.ExecuteScalar() is not null;
    }

    public Task<RepoFile?> GetAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken = default) =>
        _database.ReadAsync(connection =>
        {
                        var command = connection.Command($"SELECT {ReadColumns} FROM repo_files WHERE namespace = $ns AND repo = $repo AND branch = $branch AND path = $path");
            command.Parameters.Add("$ns", ns);
            command.Parameters.Add("$repo", repo);
            command.Parameters.Add("$branch", branch);
            command.Parameters.Add("$path", path);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, cancellationToken);

    public Task<bool> IsDirectoryAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken = default) =>
        _database.ReadAsync(connection =>
        {
                        // Paths sort so that everything below "dir/" lies in ["dir/", "dir0"): '0' follows '/'.
            var command = connection.Command("SELECT EXISTS (SELECT 1 FROM repo_files WHERE namespace = $ns AND repo = $repo AND branch = $branch AND path >= $from AND path < $to)");
            command.Parameters.Add("$ns", ns);
            command.Parameters.Add("$repo", repo);
            command.Parameters.Add("$branch", branch);
            command.Parameters.Add("$from", path.Length == 0 ? "" : path + "/");
            command.Parameters.Add("$to", path.Length == 0 ? "\uffff" : path + "0");
            return (long)command.ExecuteScalar()! == 1;
        }, cancellationToken);

    public Task<RepoFile?> SetPinnedAsync(string ns, string repo, string branch, string path, bool pinned, CancellationToken cancellationToken = default) =>
        _database.WriteAsync(context =>
        {
            var update = context.Command("UPDATE repo_files SET pinned = $pinned WHERE namespace = $ns AND repo = $repo AND branch = $branch AND path = $path AND expired_at IS NULL");
            AddKey(update, ns, repo, branch, path);
            update.Parameters.Add("$pinned", pinned ? 1 : 0);
            update.ExecuteNonQuery();
            return ReadOne(context, ns, repo, branch, path);
        }, cancellationToken);

    public Task<RepoFile?> DeleteAsync(string ns, string repo, string branch, string path, CancellationToken cancellationToken = default) =>
        _database.WriteAsync(context =>
        {
            var file = ReadOne(context, ns, repo, branch, path);
            if (file is null) return null;
            var delete = context.Command("DELETE FROM repo_files WHERE namespace = $ns AND repo = $repo AND branch = $branch AND path = $path");
            AddKey(delete, ns, repo, branch, path);
            delete.ExecuteNonQuery();
            return file;
        }, cancellationToken);

    public Task<IReadOnlyList<RepoFile>> ExpireAsync(Paddock.Core.Retention.ExpiryScope scope, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return _database.WriteAsync<IReadOnlyList<RepoFile>>(context =>
        {
            // One writer: the files chosen here cannot be marked by anyone else before this transaction ends.
            var (filter, add) = SqliteGenerationStore.ScopeFilter(scope);
            var select = context.Command($"""
                SELECT {ReadColumns} FROM repo_files
                WHERE pinned = 0 AND expired_at IS NULL AND updated_at <= $before{filter}
                ORDER BY updated_at LIMIT $limit
                """);
            select.Parameters.Add("$before", SqliteValues.ToUnixMilliseconds(scope.Before));
            select.Parameters.Add("$limit", limit);
            add(select);
            var files = new List<RepoFile>();
            using (var reader = select.ExecuteReader())
            {
                while (reader.Read()) files.Add(Read(reader));
            }
            var now = _time.GetUtcNow();
            var mark = context.Command("UPDATE repo_files SET expired_at = $now WHERE namespace = $ns AND repo = $repo AND branch = $branch AND path = $path");
            foreach (var file in files)
            {
                mark.Parameters.Clear();
                AddKey(mark, file.Namespace, file.Repo, file.Branch, file.Path);
                mark.Parameters.Add("$now", SqliteValues.ToUnixMilliseconds(now));
                mark.ExecuteNonQuery();
            }
            return files.Select(f => f with { ExpiredAt = now }).ToList();
        }, cancellationToken);
    }

    public Task<bool> IsContentInUseAsync(string contentHash, CancellationToken cancellationToken = default) =>
        _database.WriteAsync(context =>
        {
            // On the writer: after every commit that came before, so an upload that just recorded the hash is seen.
            var command = context.Command("SELECT EXISTS (SELECT 1 FROM repo_files WHERE content_hash = $hash AND expired_at IS NULL)");
            command.Parameters.Add("$hash", contentHash);
            return (long)command.ExecuteScalar()! == 1;
        }, cancellationToken);

    private static RepoFile? ReadOne(SqliteWriteContext context, string ns, string repo, string branch, string path)
    {
        var read = context.Command($"SELECT {ReadColumns} FROM repo_files WHERE namespace = $ns AND repo = $repo AND branch = $branch AND path = $path");
        AddKey(read, ns, repo, branch, path);
        using var reader = read.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    private static void AddKey(SqliteCommand command, string ns, string repo, string branch, string path)
    {
        command.Parameters.Add("$ns", ns);
        command.Parameters.Add("$repo", repo);
        command.Parameters.Add("$branch", branch);
        command.Parameters.Add("$path", path);
    }

    private static RepoFile Read(SqliteDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
        reader.GetString(4), reader.GetInt64(5), reader.GetString(6), reader.GetString(7),
        SqliteValues.FromUnixMilliseconds(reader.GetInt64(8)),
        reader.GetInt64(9) != 0, reader.GetNullableTime(10));
}
