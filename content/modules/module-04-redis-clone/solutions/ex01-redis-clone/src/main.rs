//! `ex01-redis-clone [ADDR] [--appendonly PATH] [--appendfsync always|everysec|no]`: serves the keyspace on
//! ADDR (default 127.0.0.1:6379), persisted to the append-only file PATH if given (fsync policy `everysec`
//! unless told otherwise). Prints `listening on <address>` to stderr once it accepts connections. Try it with
//! `redis-cli`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use ex01_redis_clone::db::ACTIVE_EXPIRE_INTERVAL;
use ex01_redis_clone::{active_expiry, serve, AppendFsync, Db, SystemClock};

struct Options {
    addr: String,
    appendonly: Option<PathBuf>,
    appendfsync: AppendFsync,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        addr: "127.0.0.1:6379".to_string(),
        appendonly: None,
        appendfsync: AppendFsync::EverySec,
    };
    let mut args = std::env::args().skip(1);
    let mut addr_seen = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--appendonly" => {
                let path = args.next().ok_or("--appendonly needs a path")?;
                options.appendonly = Some(PathBuf::from(path));
            }
            "--appendfsync" => {
                let policy = args.next().ok_or("--appendfsync needs a policy")?;
                options.appendfsync = policy.parse().map_err(|e| format!("{e}"))?;
            }
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ if !addr_seen => {
                options.addr = arg;
                addr_seen = true;
            }
            _ => return Err(format!("unexpected argument {arg}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(err) => {
            eprintln!("error: {err}");
            eprintln!(
                "usage: ex01-redis-clone [ADDR] [--appendonly PATH] [--appendfsync always|everysec|no]"
            );
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: Options) -> Result<(), Box<dyn std::error::Error>> {
    let db = match &options.appendonly {
        None => Db::new(),
        Some(path) => {
            let (db, report) = Db::open_aof(path, options.appendfsync, Arc::new(SystemClock))?;
            if report.truncated_bytes > 0 {
                eprintln!(
                    "warning: the append-only file ended with a torn command; truncated {} bytes",
                    report.truncated_bytes
                );
            }
            eprintln!(
                "loaded {} commands from {}",
                report.commands,
                path.display()
            );
            db
        }
    };
    let listener = tokio::net::TcpListener::bind(&options.addr).await?;
    eprintln!("listening on {}", listener.local_addr()?);
    tokio::spawn(active_expiry(db.clone(), ACTIVE_EXPIRE_INTERVAL));
    serve(listener, db).await?;
    Ok(())
}
