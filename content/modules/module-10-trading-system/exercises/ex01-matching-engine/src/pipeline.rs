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
//! Every queue is bounded and every send blocks (backpressure). A subscriber that was dropped is
//! skipped from then on. If writing the journal fails, the engine thread stops *before* applying
//! or publishing that command, and `shutdown` reports the error. Flush the journal whenever the
//! command queue runs dry and before the thread exits.

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
    /// Capacity of the command queue and of each subscriber's queue (treat 0 as 1).
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

/// Starts the engine thread with an empty book, journaling to `journal`, and returns the handle
/// and `config.subscribers` subscriptions.
pub fn spawn<W>(journal: W, config: PipelineConfig) -> (EngineHandle<W>, Vec<Subscription>)
where
    W: Write + Send + 'static,
{
    todo!("milestone 2")
}

impl<W> EngineHandle<W> {
    /// Queues a command, blocking while the queue is full. Fails with [`PipelineError::Stopped`]
    /// once the engine thread has exited.
    pub fn submit(&self, cmd: Command) -> Result<(), PipelineError> {
        todo!("milestone 2")
    }

    /// Closes the queue, lets the engine apply and publish everything already submitted, and returns
    /// the engine and the journal writer (or the journal error that stopped it).
    pub fn shutdown(self) -> Result<(Engine, W), PipelineError> {
        todo!("milestone 2")
    }
}

impl Iterator for Subscription {
    type Item = Arc<EventBatch>;

    fn next(&mut self) -> Option<Arc<EventBatch>> {
        todo!("milestone 2")
    }
}
