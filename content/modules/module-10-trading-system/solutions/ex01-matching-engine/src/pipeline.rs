//! The engine on its own thread: a bounded command queue in, a journal, and a fan-out event bus out.
//!
//! ```text
//! submit() --sync_channel(cap)--> [engine thread] --sync_channel(cap)--> Subscription 0
//!                                  | 1. number the command (seq)       \-> Subscription 1 ...
//!                                  | 2. append it to the journal
//!                                  | 3. apply it to the Engine
//!                                  | 4. publish Arc<EventBatch> to every subscriber
//! ```
//!
//! Every queue is bounded and every send blocks, so a slow subscriber slows the engine and then the
//! submitters: backpressure, never unbounded memory growth. The journal is flushed whenever the
//! command queue runs dry (group commit), and always before the thread exits.

use std::io::{self, Write};
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use thiserror::Error;

use crate::command::Command;
use crate::engine::Engine;
use crate::event::Event;
use crate::journal;

/// The events one command produced, numbered by the order in which the engine applied it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventBatch {
    /// 1 for the first command the pipeline applied, then 2, 3, ... without gaps.
    pub seq: u64,
    /// The command.
    pub command: Command,
    /// Everything [`Engine::apply`] emitted for it.
    pub events: Vec<Event>,
}

/// Sizing of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipelineConfig {
    /// Capacity of the command queue and of each subscriber's queue (at least 1).
    pub queue_capacity: usize,
    /// Number of subscriptions to create.
    pub subscribers: usize,
}

/// Failures of the pipeline as a whole.
#[derive(Debug, Error)]
pub enum PipelineError {
    /// The engine thread is no longer accepting commands (it stopped after a journal error).
    #[error("the engine thread has stopped")]
    Stopped,
    /// Writing or flushing the journal failed; the engine stopped before applying the command.
    #[error("journal write failed: {0}")]
    Journal(#[from] io::Error),
    /// The engine thread panicked: an invariant was broken.
    #[error("the engine thread panicked")]
    Panicked,
}

/// The submitting side of a running pipeline.
#[derive(Debug)]
pub struct EngineHandle<W> {
    commands: SyncSender<Command>,
    thread: JoinHandle<Result<(Engine, W), io::Error>>,
}

/// One subscriber's view of the event bus: every [`EventBatch`] in `seq` order. Iteration ends after
/// the pipeline shuts down and the queue is drained.
#[derive(Debug)]
pub struct Subscription {
    batches: Receiver<Arc<EventBatch>>,
}

/// Starts the engine thread with an empty book, journaling to `journal`.
pub fn spawn<W>(journal: W, config: PipelineConfig) -> (EngineHandle<W>, Vec<Subscription>)
where
    W: Write + Send + 'static,
{
    let capacity = config.queue_capacity.max(1);
    let (commands, inbox) = mpsc::sync_channel(capacity);
    let mut outboxes = Vec::with_capacity(config.subscribers);
    let mut subscriptions = Vec::with_capacity(config.subscribers);
    for _ in 0..config.subscribers {
        let (tx, rx) = mpsc::sync_channel(capacity);
        outboxes.push(tx);
        subscriptions.push(Subscription { batches: rx });
    }
    let thread = thread::Builder::new()
        .name("matching-engine".into())
        .spawn(move || run(inbox, journal, outboxes))
        .expect("failed to spawn the engine thread");
    (EngineHandle { commands, thread }, subscriptions)
}

impl<W> EngineHandle<W> {
    /// Queues a command, blocking while the queue is full.
    pub fn submit(&self, cmd: Command) -> Result<(), PipelineError> {
        self.commands.send(cmd).map_err(|_| PipelineError::Stopped)
    }

    /// Closes the queue, lets the engine apply and publish everything already submitted, and returns
    /// the engine and the journal writer.
    pub fn shutdown(self) -> Result<(Engine, W), PipelineError> {
        drop(self.commands);
        match self.thread.join() {
            Ok(result) => Ok(result?),
            Err(_) => Err(PipelineError::Panicked),
        }
    }
}

impl Iterator for Subscription {
    type Item = Arc<EventBatch>;

    fn next(&mut self) -> Option<Arc<EventBatch>> {
        self.batches.recv().ok()
    }
}

fn run<W: Write>(
    inbox: Receiver<Command>,
    mut journal: W,
    mut outboxes: Vec<SyncSender<Arc<EventBatch>>>,
) -> io::Result<(Engine, W)> {
    let mut engine = Engine::new();
    let mut seq = 0;
    let mut record = Vec::with_capacity(journal::RECORD_LEN);
    loop {
        let cmd = match inbox.try_recv() {
            Ok(cmd) => cmd,
            Err(TryRecvError::Empty) => {
                // Queue drained: make what we have durable before waiting for more.
                journal.flush()?;
                match inbox.recv() {
                    Ok(cmd) => cmd,
                    Err(_) => break,
                }
            }
            Err(TryRecvError::Disconnected) => break,
        };
        seq += 1;
        record.clear();
        journal::encode(&cmd, &mut record);
        journal.write_all(&record)?;

        let mut events = Vec::new();
        engine.apply(&cmd, &mut events);
        let batch = Arc::new(EventBatch {
            seq,
            command: cmd,
            events,
        });
        // A subscriber that hung up is dropped from the bus; the others keep receiving.
        outboxes.retain(|tx| tx.send(Arc::clone(&batch)).is_ok());
    }
    journal.flush()?;
    Ok((engine, journal))
}
