//! Runs the notes API: `cargo run -p ex02-rest-api -- [ADDR] [DATA_FILE]`.
//!
//! Defaults to 127.0.0.1:3000 and an in-memory store; give a file path to keep notes across restarts.

use std::sync::Arc;

use ex02_rest_api::{serve, JsonFileStore, MemoryStore, NoteStore};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let store: Arc<dyn NoteStore> = match args.next() {
        Some(path) => Arc::new(JsonFileStore::open(path)?),
        None => Arc::new(MemoryStore::new()),
    };

    let listener = std::net::TcpListener::bind(&addr)?;
    let server = serve(listener, store)?;
    println!("listening on http://{}", server.local_addr());

    tokio::signal::ctrl_c().await?;
    println!("shutting down");
    server.shutdown().await?;
    Ok(())
}
