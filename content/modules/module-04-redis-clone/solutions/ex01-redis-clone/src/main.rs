//! `ex01-redis-clone [ADDR]`: serves the keyspace on ADDR (default 127.0.0.1:6379). Try it with `redis-cli`.

use ex01_redis_clone::db::ACTIVE_EXPIRE_INTERVAL;
use ex01_redis_clone::{active_expiry, serve, Db};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:6379".to_string());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on {}", listener.local_addr()?);
    let db = Db::new();
    tokio::spawn(active_expiry(db.clone(), ACTIVE_EXPIRE_INTERVAL));
    serve(listener, db).await
}
