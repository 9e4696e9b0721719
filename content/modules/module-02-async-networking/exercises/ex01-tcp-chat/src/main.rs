//! Runs the chat server until Ctrl-C. Try it with `nc 127.0.0.1 7878` in two terminals.

use ex01_tcp_chat::Server;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7878".to_owned());
    let (addr, handle) = Server::bind(addr.as_str()).await?;
    eprintln!("chat server listening on {addr}; Ctrl-C to stop");

    tokio::signal::ctrl_c().await?;
    eprintln!("shutting down");
    if let Err(error) = handle.shutdown().await {
        eprintln!("server task failed: {error}");
    }
    Ok(())
}
