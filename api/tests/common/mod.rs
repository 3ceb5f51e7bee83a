//! Databases for the tests: SQLite in a temporary directory, and PostgreSQL in a fresh database
//! on the server `SHEAF_TEST_DATABASE_URL` names (`ci/test.sh` starts one). Without that
//! variable the PostgreSQL tests print `SKIP` and pass, unless `SHEAF_REQUIRE_POSTGRES=1`
//! (set by `ci/test.sh`) makes that a failure; with it, a server that cannot be reached fails
//! the test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod http;

use std::sync::atomic::{AtomicUsize, Ordering};

use sheaf_api::store::Store;
use sqlx::Executor;

/// Where a test's database lives; [`TestDb::cleanup`] removes it.
pub enum TestDb {
    /// SQLite files in this directory.
    Sqlite(tempfile::TempDir),
    /// A PostgreSQL database created for the test.
    Postgres {
        /// The server's URL (its default database).
        admin: String,
        /// The test database's name.
        name: String,
        /// The test database's URL.
        url: String,
    },
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// Whether PostgreSQL tests must run.
fn required() -> bool {
    std::env::var("SHEAF_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

impl TestDb {
    /// A fresh SQLite data directory.
    pub fn sqlite() -> Self {
        Self::Sqlite(tempfile::tempdir().unwrap())
    }

    /// A fresh PostgreSQL database, or `None` (after printing `SKIP`) when no server is
    /// configured and none is required.
    pub async fn postgres(test: &str) -> Option<Self> {
        let admin = match std::env::var("SHEAF_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => url,
            _ => {
                assert!(
                    !required(),
                    "SHEAF_REQUIRE_POSTGRES=1 but SHEAF_TEST_DATABASE_URL is not set"
                );
                println!("SKIP {test} on PostgreSQL: SHEAF_TEST_DATABASE_URL is not set");
                return None;
            }
        };
        sqlx::any::install_default_drivers();
        let name = format!(
            "sheaf_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at SHEAF_TEST_DATABASE_URL: {e}"));
        conn.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
            .await
            .unwrap();
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let url = with_database(&admin, &name);
        Some(Self::Postgres { admin, name, url })
    }

    /// The database URL to give `--database-url` (`None` for SQLite).
    pub fn url(&self) -> Option<String> {
        match self {
            Self::Sqlite(_) => None,
            Self::Postgres { url, .. } => Some(url.clone()),
        }
    }

    /// The SQLite data directory (a scratch directory for PostgreSQL).
    pub fn data_dir(&self) -> std::path::PathBuf {
        match self {
            Self::Sqlite(dir) => dir.path().to_owned(),
            Self::Postgres { name, .. } => std::env::temp_dir().join(name),
        }
    }

    /// Opens the store on it.
    pub async fn open(&self) -> Store {
        Store::open(self.url().as_deref(), &self.data_dir())
            .await
            .unwrap()
    }

    /// Drops the PostgreSQL database (the SQLite directory goes with the value).
    pub async fn cleanup(self) {
        if let Self::Postgres { admin, name, .. } = self {
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                .await
                .unwrap();
            conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await
                .unwrap();
        }
    }
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Instantiates each `async fn NAME(db: &TestDb)` test template once on SQLite and once on
/// PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::common::TestDb::sqlite();
                    super::$name(&db).await;
                    db.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::common::TestDb::postgres(stringify!($name)).await
                    else {
                        return;
                    };
                    super::$name(&db).await;
                    db.cleanup().await;
                }
            )*
        }
    };
}
