public import GRDB

/// The `node.sqlite` schema as named GRDB migrations.
///
/// Migrations are append-only: a shipped migration is never edited; changes come as new
/// migrations (`v2-…`). Conventions:
/// - times (`ts`, `at`) are INTEGER unix seconds (UTC);
/// - calendar dates (`signup_date`, `churn_date`) are INTEGER days since 1970-01-01 (UTC);
/// - amounts are INTEGER minor currency units (cents);
/// - `customers.id` is the internal row id; other tables reference it (`customer`), never the
///   partner's `customer_id` text. Deleting a customer row deletes its pseudonym mapping;
/// - transaction channels and categories reference the `channels` / `categories` name tables
///   (view `transactions_readable` shows them joined).
public enum StoreSchema {
    /// The migrator with every shipped migration, in order.
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-customers") { db in
            try db.execute(sql: """
                CREATE TABLE customers (
                  id INTEGER PRIMARY KEY,
                  customer_id TEXT NOT NULL UNIQUE,
                  pseudonym BLOB NOT NULL UNIQUE CHECK (length(pseudonym) = 16),
                  signup_date INTEGER NOT NULL,
                  birth_year INTEGER,
                  gender TEXT,
                  region TEXT,
                  primary_channel TEXT,
                  nps INTEGER CHECK (nps BETWEEN 0 AND 10),
                  csat INTEGER CHECK (csat BETWEEN 1 AND 5),
                  churned INTEGER CHECK (churned IN (0, 1)),
                  churn_date INTEGER
                ) STRICT
                """)
        }
        migrator.registerMigration("v1-transactions") { db in
            // Channels and categories are dictionary-coded (few distinct names, millions of
            // rows): smaller file, integer binds on import, integer reads in the loaders.
            // Deliberately no index on `customer`: the loaders scan the table in rowid order,
            // and an index costs a third of SQLite's insert time (sqlite3 shell, 2M rows:
            // 2.9 s with it, 1.9 s without); the only
            // per-customer lookup is erasure, which scans (rare; ~1 s per 10M rows).
            try db.execute(sql: """
                CREATE TABLE channels (
                  id INTEGER PRIMARY KEY,
                  name TEXT NOT NULL UNIQUE
                ) STRICT;
                CREATE TABLE categories (
                  id INTEGER PRIMARY KEY,
                  name TEXT NOT NULL UNIQUE
                ) STRICT;
                CREATE TABLE transactions (
                  customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
                  ts INTEGER NOT NULL,
                  amount_minor INTEGER NOT NULL,
                  currency TEXT NOT NULL CHECK (length(currency) = 3),
                  channel INTEGER NOT NULL REFERENCES channels(id),
                  category INTEGER NOT NULL REFERENCES categories(id)
                ) STRICT;
                CREATE VIEW transactions_readable AS
                  SELECT c.customer_id, t.ts, t.amount_minor, t.currency,
                         ch.name AS channel, ca.name AS category
                  FROM transactions t
                  JOIN customers c ON c.id = t.customer
                  JOIN channels ch ON ch.id = t.channel
                  JOIN categories ca ON ca.id = t.category;
                """)
        }
        migrator.registerMigration("v1-consent-events") { db in
            try db.execute(sql: """
                CREATE TABLE consent_events (
                  id INTEGER PRIMARY KEY,
                  customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
                  purpose TEXT NOT NULL CHECK (purpose IN ('segmentation', 'benchmarking', 'model-training')),
                  action TEXT NOT NULL CHECK (action IN ('grant', 'withdraw')),
                  at INTEGER NOT NULL,
                  method TEXT,
                  policy_version TEXT
                ) STRICT;
                CREATE INDEX consent_by_purpose ON consent_events(purpose, customer, at);
                CREATE INDEX consent_by_customer ON consent_events(customer);
                """)
        }
        migrator.registerMigration("v1-imports") { db in
            try db.execute(sql: """
                CREATE TABLE imports (
                  id INTEGER PRIMARY KEY,
                  kind TEXT NOT NULL CHECK (kind IN ('customers', 'transactions', 'consent')),
                  file_name TEXT NOT NULL,
                  sha256 TEXT NOT NULL,
                  rows_accepted INTEGER NOT NULL,
                  rows_rejected INTEGER NOT NULL,
                  at INTEGER NOT NULL
                ) STRICT
                """)
        }
        migrator.registerMigration("v1-budget-spends") { db in
            try db.execute(sql: """
                CREATE TABLE budget_spends (
                  id INTEGER PRIMARY KEY,
                  purpose TEXT NOT NULL,
                  study TEXT NOT NULL,
                  epsilon REAL NOT NULL,
                  delta REAL NOT NULL,
                  rho REAL,
                  mechanism TEXT NOT NULL,
                  cost_json TEXT NOT NULL,
                  at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX budget_spends_by_purpose ON budget_spends(purpose, at);
                """)
        }
        migrator.registerMigration("v1-study-results") { db in
            // Released study results (see NodeStore+StudyResults.swift): one per study.
            try db.execute(sql: """
                CREATE TABLE study_results (
                  study TEXT PRIMARY KEY,
                  role TEXT NOT NULL CHECK (role IN ('lead', 'participant')),
                  lead TEXT NOT NULL,
                  purpose TEXT NOT NULL,
                  kind TEXT NOT NULL,
                  result_json BLOB NOT NULL,
                  digest TEXT NOT NULL,
                  stored_at INTEGER NOT NULL
                ) STRICT
                """)
        }
        migrator.registerMigration("v2-imports-rolled-back") { db in
            // Imports whose rows were rolled back after their data.imported entry may have been
            // written (see NodeStore+Import.swift): their ids stay taken, so an import id is
            // never reused (NodeStore.rolledBackImports() lists them).
            try db.execute(sql: """
                CREATE TABLE imports_rolled_back (
                  id INTEGER PRIMARY KEY,
                  kind TEXT NOT NULL CHECK (kind IN ('customers', 'transactions', 'consent')),
                  file_name TEXT NOT NULL,
                  sha256 TEXT NOT NULL,
                  reason TEXT NOT NULL,
                  at INTEGER NOT NULL
                ) STRICT
                """)
        }
        migrator.registerMigration("v3-partner-data") { db in
            // Issue 16 (mapped imports). `customer_attributes`: custom attributes declared in
            // the config (`data.attributes`), canonical text values, deleted with the customer.
            // `import_keys`: the order ids a mapped transactions import stored, per source, so a
            // later export of the same source appends only new orders (and an order split
            // across the file is merged into its one transaction row); deleted with the customer
            // (erasure scans it: like `transactions`, no index on `customer`, which would cost
            // every mapped import an extra B-tree insert per order).
            // `imports.mapping` / `imports.notes`: the mapping file (name and SHA-256) and the
            // derivations and conversions the import made, one per line.
            try db.execute(sql: """
                CREATE TABLE customer_attributes (
                  customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
                  name TEXT NOT NULL,
                  value TEXT NOT NULL,
                  PRIMARY KEY (customer, name)
                ) STRICT, WITHOUT ROWID;
                CREATE TABLE import_keys (
                  source TEXT NOT NULL,
                  order_id TEXT NOT NULL,
                  customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
                  tx INTEGER NOT NULL,
                  import_id INTEGER NOT NULL,
                  PRIMARY KEY (source, order_id)
                ) STRICT, WITHOUT ROWID;
                ALTER TABLE imports ADD COLUMN mapping TEXT;
                ALTER TABLE imports ADD COLUMN notes TEXT;
                """)
        }
        migrator.registerMigration("v4-participant-studies") { db in
            // Issue 11: a participant's study state, written with every transition of its
            // protocol machine before the node acts on it, so that a node restarted between the
            // rounds of a study resumes it (or fails it cleanly) instead of forgetting it.
            // `state` is the machine's entry as JSON (CohortNode's ParticipantStudyCoding).
            try db.execute(sql: """
                CREATE TABLE participant_studies (
                  study TEXT PRIMARY KEY,
                  state BLOB NOT NULL,
                  updated_at INTEGER NOT NULL
                ) STRICT, WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v5-consent-generation") { db in
            // A counter that every change able to remove a customer from a consenting set
            // bumps: a consent event added or deleted, a customer deleted (erasure, import
            // rollback). Multi-round studies compare it between rounds and re-read consent only
            // when it moved (NodeStore.consentGeneration()).
            try db.execute(sql: """
                CREATE TABLE consent_generation (
                  id INTEGER PRIMARY KEY CHECK (id = 1),
                  value INTEGER NOT NULL
                ) STRICT;
                INSERT INTO consent_generation (id, value) VALUES (1, 0);
                CREATE TRIGGER consent_generation_on_insert AFTER INSERT ON consent_events
                  BEGIN UPDATE consent_generation SET value = value + 1 WHERE id = 1; END;
                CREATE TRIGGER consent_generation_on_delete AFTER DELETE ON consent_events
                  BEGIN UPDATE consent_generation SET value = value + 1 WHERE id = 1; END;
                CREATE TRIGGER consent_generation_on_customer_delete AFTER DELETE ON customers
                  BEGIN UPDATE consent_generation SET value = value + 1 WHERE id = 1; END;
                """)
        }
        return migrator
    }
}
