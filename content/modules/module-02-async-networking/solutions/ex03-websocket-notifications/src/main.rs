//! Runs the notification server: `cargo run -p ex03-websocket-notifications -- [ADDR]`.
//!
//! Connect with any WebSocket client (for example `websocat ws://127.0.0.1:9001/ws`), send
//! `{"subscribe":"orders"}`, then publish from another shell:
//! `curl -d '{"id":1}' -H 'content-type: application/json' 127.0.0.1:9001/publish/orders`.

use ex03_websocket_notifications::{serve, Config};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9001".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let server = serve(listener, Config::default())?;
    println!("listening on ws://{}/ws", server.local_addr());

    tokio::signal::ctrl_c().await?;
    println!("shutting down");
    server.shutdown().await?;
    Ok(())
}
