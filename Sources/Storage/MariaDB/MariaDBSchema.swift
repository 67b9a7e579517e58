// The database schema and its migrations, applied in order and recorded in `schema_version`; re-running is
// harmless. The unique index on the generated `ongoing_check_id` column makes the database itself refuse a
// second ongoing incident for one check.

enum MariaDBSchema {
    /// Migration N is `migrations[N - 1]`; each runs once, in order. Never edit a released one: append.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE IF NOT EXISTS checks (
              id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
              domain VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
              last_performed DATETIME(3) NULL,
              status TINYINT(1) NOT NULL DEFAULT 1,
              UNIQUE KEY checks_domain (domain)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
            """
            CREATE TABLE IF NOT EXISTS incidents (
              id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
              check_id BIGINT UNSIGNED NOT NULL,
              description VARCHAR(1024) NOT NULL,
              down_detection DATETIME(3) NOT NULL,
              up_detection DATETIME(3) NULL,
              ongoing_check_id BIGINT UNSIGNED AS (IF(up_detection IS NULL, check_id, NULL)) PERSISTENT,
              UNIQUE KEY incidents_one_ongoing (ongoing_check_id),
              KEY incidents_by_check (check_id, down_detection, id),
              CONSTRAINT incidents_check FOREIGN KEY (check_id) REFERENCES checks (id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
        ],
        [
            """
            CREATE TABLE IF NOT EXISTS monitor_gaps (
              id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
              gap_from DATETIME(3) NOT NULL,
              gap_until DATETIME(3) NOT NULL,
              reason VARCHAR(32) NOT NULL,
              UNIQUE KEY monitor_gaps_from (gap_from)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
        ],
        [
            // Since when a check is watched, for uptime: time before it is not counted. Checks that existed
            // before this migration count from their first incident, or from now.
            "ALTER TABLE checks ADD COLUMN IF NOT EXISTS created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)",
            """
            UPDATE checks SET created_at = LEAST(created_at, COALESCE(
              (SELECT MIN(incidents.down_detection) FROM incidents WHERE incidents.check_id = checks.id), created_at))
            """,
        ],
        [
            // Dependency-aware incidents: the ancestor's incident an unreachable host's is behind, and
            // incidents that began inside a maintenance window.
            "ALTER TABLE incidents ADD COLUMN IF NOT EXISTS parent_incident_id BIGINT UNSIGNED NULL",
            "ALTER TABLE incidents ADD COLUMN IF NOT EXISTS maintenance TINYINT(1) NOT NULL DEFAULT 0",
        ],
        [
            // Latency and loss history: one row per check, resolution (seconds), step and daemon run (0 for rows
            // merged from finer ones), the step's pings as an encoded rollup (History's PingRollup). A step a
            // restart cut has one row per run, merged when read. `history_progress` says up to when each coarser
            // resolution was merged from the finer one (reads take the finer rows after it).
            """
            CREATE TABLE IF NOT EXISTS history (
              check_id BIGINT UNSIGNED NOT NULL,
              resolution INT UNSIGNED NOT NULL,
              step_start BIGINT NOT NULL,
              run BIGINT UNSIGNED NOT NULL,
              sent INT UNSIGNED NOT NULL,
              rollup VARBINARY(4096) NOT NULL,
              PRIMARY KEY (check_id, resolution, step_start, run)
            ) ENGINE=InnoDB
            """,
            """
            CREATE TABLE IF NOT EXISTS history_progress (
              resolution INT UNSIGNED NOT NULL PRIMARY KEY,
              merged_through BIGINT NOT NULL
            ) ENGINE=InnoDB
            """,
        ],
        [
            // Probes: every daemon on this database (PROBE_NAME), when it last wrote (the database's clock), and
            // its own view of each host it watches: up or down since when, its last ping, RTT (µs) and loss
            // (thousandths of a percent), and while down its cause.
            """
            CREATE TABLE IF NOT EXISTS probes (
              name VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
              first_seen DATETIME(3) NOT NULL,
              last_seen DATETIME(3) NOT NULL,
              version VARCHAR(32) NOT NULL,
              interval_ms INT UNSIGNED NOT NULL,
              hosts INT UNSIGNED NOT NULL
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
            """
            CREATE TABLE IF NOT EXISTS observations (
              check_id BIGINT UNSIGNED NOT NULL,
              probe VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
              is_down TINYINT(1) NOT NULL,
              since DATETIME(3) NOT NULL,
              last_performed DATETIME(3) NULL,
              rtt_us BIGINT NULL,
              loss_mpct INT NULL,
              cause VARCHAR(255) NULL,
              updated_at DATETIME(3) NOT NULL,
              PRIMARY KEY (check_id, probe),
              KEY observations_by_probe (probe)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
            // The webhooks of incidents the probes' consensus opened or closed: written in the same transaction
            // as the incident, sent by whichever live probe claims the row (a lease of 30 s), once.
            """
            CREATE TABLE IF NOT EXISTS notification_outbox (
              id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
              incident_id BIGINT UNSIGNED NOT NULL,
              event VARCHAR(8) NOT NULL,
              created_at DATETIME(3) NOT NULL,
              claimed_by VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
              claimed_until DATETIME(3) NULL,
              attempts INT UNSIGNED NOT NULL DEFAULT 0,
              sent_at DATETIME(3) NULL,
              UNIQUE KEY outbox_once (incident_id, event),
              KEY outbox_waiting (sent_at, id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
        ],
        [
            // The probes' outages by kind: each view says what its monitor made of a down host (own, awaiting a
            // parent's verdict, unreachable behind which ancestor, maintenance); an incident the consensus opened
            // says whether it was notified (NULL: one probe's monitor wrote it, its marks say).
            "ALTER TABLE observations ADD COLUMN IF NOT EXISTS outage VARCHAR(12) NULL",
            "ALTER TABLE observations ADD COLUMN IF NOT EXISTS behind VARCHAR(255) NULL",
            "ALTER TABLE incidents ADD COLUMN IF NOT EXISTS announced TINYINT(1) NULL",
        ],
    ]

    /// Brings the schema to the newest version, under a named lock so two daemons starting together do not race.
    /// On Galera the lock is only the node's: two probes on two nodes may both run a migration, so every statement
    /// is one that can run twice (IF NOT EXISTS), and the version row is inserted once (INSERT IGNORE).
    static func migrate(_ connection: MariaDBConnection) throws {
        try connection.run("""
            CREATE TABLE IF NOT EXISTS schema_version (
              version INT NOT NULL PRIMARY KEY,
              applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
            ) ENGINE=InnoDB
            """)
        let locked = try connection.query("SELECT GET_LOCK('status_schema_migration', 30)", columns: [.int])
        guard locked.first?.first?.int == 1 else { throw StoreError.unavailable("could not take the migration lock") }
        defer { _ = try? connection.query("SELECT RELEASE_LOCK('status_schema_migration')", columns: [.int]) }
        let current = try connection.query("SELECT COALESCE(MAX(version), 0) FROM schema_version", columns: [.int])
            .first?.first?.int ?? 0
        for (offset, statements) in migrations.enumerated() where Int64(offset + 1) > current {
            for statement in statements { try connection.run(statement) }
            try connection.execute("INSERT IGNORE INTO schema_version (version) VALUES (?)", [.int(Int64(offset + 1))])
        }
    }
}
