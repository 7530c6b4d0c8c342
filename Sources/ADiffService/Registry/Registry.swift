import Foundation
import GRDB

/// The daemon's durable state in SQLite: the job history and the cache of model-file hashes.
///
/// WAL journal with `synchronous=FULL`: jobs are rare and precious, and a job is acknowledged
/// to its client only after its row is committed, so a power loss cannot lose an accepted job.
/// On open, jobs left `running` or `queued` by a daemon that died are marked `failed` with
/// kind `Interrupted`, so no accepted job is ever silently lost. A database written by a newer
/// schema is refused rather than half-understood.
public final class Registry: Sendable {
    /// The schema version this build writes (`PRAGMA user_version`).
    public static let schemaVersion = 1

    let database: DatabasePool
    /// Jobs that the previous daemon left unfinished and this open marked failed.
    public let recoveredJobIDs: [String]

    /// Opens (creating if needed) the registry at `path`.
    ///
    /// - Throws: ``ServiceError`` `.registryTooNew` for a newer schema, `.registry` when the
    ///   file is not a usable SQLite database.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            database = try DatabasePool(path: path, configuration: configuration)
            let found = try database.read { try Int.fetchOne($0, sql: "PRAGMA user_version") ?? 0 }
            guard found <= Registry.schemaVersion else {
                throw ServiceError(
                    .registryTooNew,
                    "registry \(path) has schema \(found); this adiffd understands up to \(Registry.schemaVersion)"
                )
            }
            try Registry.migrator.migrate(database)
            recoveredJobIDs = try database.write { db in
                try Registry.failUnfinishedJobs(db)
            }
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError(.registry, "cannot open registry \(path): \(error)")
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE job (
                    id TEXT PRIMARY KEY NOT NULL,
                    uid INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
                    request TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    started_at REAL,
                    finished_at REAL,
                    error_kind TEXT,
                    error_message TEXT,
                    result TEXT
                );
                CREATE INDEX job_uid_created ON job (uid, created_at);
                CREATE TABLE file_hash (
                    path TEXT PRIMARY KEY NOT NULL,
                    device INTEGER NOT NULL,
                    inode INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    mtime_ns INTEGER NOT NULL,
                    sha256 TEXT NOT NULL
                );
                PRAGMA user_version = 1;
                """)
        }
        return migrator
    }

    private static func failUnfinishedJobs(_ db: Database) throws -> [String] {
        let ids = try String.fetchAll(db, sql: "SELECT id FROM job WHERE state IN ('queued', 'running') ORDER BY created_at")
        let now = Date().timeIntervalSince1970
        try db.execute(
            sql: """
                UPDATE job SET state = 'failed', error_kind = 'Interrupted', finished_at = ?,
                    error_message = CASE state
                        WHEN 'running' THEN 'adiffd stopped while this job was running'
                        ELSE 'adiffd stopped before this job started' END
                WHERE state IN ('queued', 'running')
                """,
            arguments: [now]
        )
        return ids
    }

    // MARK: Jobs

    /// Records a new job; returns once the row is durable.
    public func insert(_ job: JobRecord) throws {
        try write { try job.insert($0) }
    }

    /// Marks a queued job running.
    public func markRunning(_ id: String, at time: Double = Date().timeIntervalSince1970) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE job SET state = 'running', started_at = ? WHERE id = ? AND state = 'queued'",
                arguments: [time, id]
            )
        }
    }

    /// Records how a job ended.
    public func finish(
        _ id: String,
        state: JobRecord.State,
        result: String? = nil,
        errorKind: String? = nil,
        errorMessage: String? = nil,
        at time: Double = Date().timeIntervalSince1970
    ) throws {
        precondition(state.isFinal, "finish needs a final state")
        try write { db in
            try db.execute(
                sql: """
                    UPDATE job SET state = ?, result = ?, error_kind = ?, error_message = ?, finished_at = ?
                    WHERE id = ?
                    """,
                arguments: [state.rawValue, result, errorKind, errorMessage, time, id]
            )
        }
    }

    /// The job with `id`, if any.
    public func job(_ id: String) throws -> JobRecord? {
        try read { try JobRecord.fetchOne($0, key: id) }
    }

    /// The newest jobs, optionally only those of one uid.
    public func jobs(uid: Int? = nil, limit: Int = 100) throws -> [JobRecord] {
        try read { db in
            var request = JobRecord.order(Column("created_at").desc).limit(limit)
            if let uid { request = request.filter(Column("uid") == uid) }
            return try request.fetchAll(db)
        }
    }

    // MARK: File hashes

    /// The cached sha256 of `path`, if it was hashed while it had exactly this identity.
    public func cachedHash(path: String, identity: FileIdentity) throws -> String? {
        try read { db in
            guard let record = try FileHashRecord.fetchOne(db, key: path), record.identity == identity else { return nil }
            return record.sha256
        }
    }

    /// Caches the sha256 of `path` for its current identity.
    public func storeHash(path: String, identity: FileIdentity, sha256: String) throws {
        try write { try FileHashRecord(path: path, identity: identity, sha256: sha256).save($0) }
    }

    /// Runs SQLite's integrity check; `true` when it reports "ok".
    public func integrityCheck() throws -> Bool {
        try read { try String.fetchOne($0, sql: "PRAGMA integrity_check") == "ok" }
    }

    // MARK: Plumbing

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try database.read(body)
        } catch {
            throw ServiceError(.registry, "registry read failed: \(error)")
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try database.write(body)
        } catch {
            throw ServiceError(.registry, "registry write failed: \(error)")
        }
    }
}

extension Registry {
    /// Folds the WAL into the database file (`wal_checkpoint(TRUNCATE)`), at shutdown: the
    /// database is then complete on its own.
    public func checkpoint() throws {
        do {
            try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        } catch {
            throw ServiceError(.registry, "registry checkpoint failed: \(error)")
        }
    }
}
