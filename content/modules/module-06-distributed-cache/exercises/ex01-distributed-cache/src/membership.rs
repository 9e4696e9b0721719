//! Cluster membership: a SWIM-style failure detector with gossip, as a sans-IO state machine.
//!
//! A [`Membership`] never touches a socket, never spawns a task and never reads the wall clock. Whoever drives
//! it (a Tokio task and a UDP socket in a real node, an in-memory router in the tests) calls:
//!
//! - [`Membership::join`] once with the seeds' ids, and sends the messages it returns;
//! - [`Membership::tick`] regularly, several times per probe timeout, and sends the messages it returns;
//! - [`Membership::receive`] with every message addressed to this member, and sends the replies it returns.
//!
//! Time comes only from the injected [`Clock`] and randomness only from a generator seeded by
//! [`MembershipConfig::seed`] and the member's id, so a run is a pure function of the seed, the clock and the
//! order of the calls: a failing test replays exactly.
//!
//! The protocol, in short (each method states its part of the contract):
//!
//! - **Gossip.** Every message carries the sender's whole member list, its own record included. The receiver
//!   merges each record with [`Member::merge`]: higher incarnation wins; at equal incarnation
//!   `Dead > Suspect > Alive`. Dead members stay in the list, so stale gossip cannot bring them back.
//! - **Refutation.** Nobody else decides what a member is: a record about itself that outranks
//!   `(its incarnation, Alive)` makes it raise its incarnation to that record's plus one.
//! - **Failure detection.** Once per protocol period a member pings the next member of a randomised round
//!   robin. Without an ack after the probe timeout it asks `indirect_probes` others to ping the target for
//!   it; without any ack by the end of the period the target becomes `Suspect`, and a suspicion that is not
//!   refuted within the suspicion timeout makes it `Dead`.
//! - **Healing.** Each period a member also pings one member it believes dead, so the two sides of a healed
//!   partition hear of each other, learn they were declared dead, and refute.
//! - **The ring** holds every member not `Dead`: suspects keep their keys until they are declared dead.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, MonotonicClock};
use crate::ring::{HashRing, DEFAULT_VNODES};

/// What a member is believed to be. The declaration order is the precedence at equal incarnation:
/// `Alive < Suspect < Dead`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Answering probes, as far as anyone knows.
    Alive,
    /// A probe failed, directly and indirectly; dead unless it refutes within the suspicion timeout.
    Suspect,
    /// Declared dead: off the ring. Only the member itself can come back, with a higher incarnation.
    Dead,
}

/// One member's record, as gossiped: `(id, incarnation, status)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Member {
    /// The member's id, which is also its id on the ring (its `host:port` address in a networked node).
    pub id: String,
    /// A counter only the member itself raises, to refute rumours about its current incarnation.
    pub incarnation: u64,
    /// What the record claims.
    pub status: Status,
}

impl Member {
    /// A record.
    pub fn new(id: impl Into<String>, incarnation: u64, status: Status) -> Self {
        Member {
            id: id.into(),
            incarnation,
            status,
        }
    }

    /// The record's precedence: a higher incarnation wins; at equal incarnation, `Dead > Suspect > Alive`.
    pub fn rank(&self) -> (u64, Status) {
        todo!("milestone 3")
    }

    /// Merges another record of the same member into this one, keeping whichever ranks higher, and returns
    /// whether `self` changed. The merge is commutative, associative and idempotent.
    ///
    /// # Panics
    ///
    /// If the two records are about different members.
    pub fn merge(&mut self, other: &Member) -> bool {
        todo!("milestone 3")
    }
}

/// The protocol's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipConfig {
    /// How often a member starts a probe: one target per period.
    pub protocol_period: Duration,
    /// How long to wait for a direct ack before asking other members to probe indirectly. Below the period.
    pub probe_timeout: Duration,
    /// How many members to ask for an indirect probe (fewer if fewer are available).
    pub indirect_probes: usize,
    /// How long a member stays `Suspect` before it is declared `Dead`, unless it refutes.
    pub suspicion_timeout: Duration,
    /// Virtual nodes per member on the ring built from the membership.
    pub vnodes: u32,
    /// Seeds the member's random choices (mixed with its id, so members sharing a config choose differently).
    pub seed: u64,
}

impl Default for MembershipConfig {
    fn default() -> Self {
        MembershipConfig {
            protocol_period: Duration::from_secs(1),
            probe_timeout: Duration::from_millis(300),
            indirect_probes: 3,
            suspicion_timeout: Duration::from_secs(5),
            vnodes: DEFAULT_VNODES,
            seed: 0,
        }
    }
}

/// A protocol message. Every message carries gossip: `updates` is the sender's whole member list (its own
/// record included), which is small for the clusters of this course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The sender's id.
    pub from: String,
    /// The recipient's id.
    pub to: String,
    /// What the message asks or answers.
    pub kind: MessageKind,
    /// The sender's member list, sorted by id.
    pub updates: Vec<Member>,
}

/// The SWIM messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageKind {
    /// "Are you there?" Answered with `Ack { seq, target: <the recipient> }`.
    Ping {
        /// Chosen by the sender to match the answer.
        seq: u64,
    },
    /// "Please ping `target` for me": the recipient pings `target` and, if it answers, relays
    /// `Ack { seq, target }` to the sender.
    PingReq {
        /// The sender's probe sequence number, to put in the relayed ack.
        seq: u64,
        /// The member to probe.
        target: String,
    },
    /// "`target` answered probe `seq`": sent by `target` itself, or relayed by a helper.
    Ack {
        /// The sequence number of the ping or ping-req answered.
        seq: u64,
        /// The member that answered.
        target: String,
    },
}

/// One member's view of the cluster and its part in the SWIM protocol. See the [module docs](self).
#[derive(Debug)]
pub struct Membership<C: Clock = MonotonicClock> {
    // Replace with your own fields; keep the clock. The solution keeps its own incarnation, a `BTreeMap` from
    // id to record (with the time its suspicion started), the probe in flight, the round-robin order, the
    // relays of indirect probes, the ring behind an `Arc`, and a small seeded generator (SplitMix64 is
    // ten lines; there is no `rand` dependency in this milestone).
    clock: C,
}

impl<C: Clock> Membership<C> {
    /// A member that knows only itself (`Alive`, incarnation 0), reading time from `clock`. Its first
    /// protocol period starts at the first [`tick`](Self::tick).
    ///
    /// # Panics
    ///
    /// If the protocol period or the suspicion timeout is zero, the probe timeout is not below the protocol
    /// period, or `vnodes` is zero.
    pub fn new(id: &str, config: MembershipConfig, clock: C) -> Self {
        todo!("milestone 3")
    }

    /// This member's id.
    pub fn id(&self) -> &str {
        todo!("milestone 3")
    }

    /// This member's current incarnation.
    pub fn incarnation(&self) -> u64 {
        todo!("milestone 3")
    }

    /// Every member this one knows of, itself included (always `Alive`), dead ones too, sorted by id.
    pub fn members(&self) -> Vec<Member> {
        todo!("milestone 3")
    }

    /// This member's record of `id` (its own record if `id` is its own), or `None` if it never heard of it.
    pub fn member(&self, id: &str) -> Option<Member> {
        todo!("milestone 3")
    }

    /// The ring of every member not `Dead` (so `Alive` and `Suspect`, itself included), each with
    /// `config.vnodes` virtual nodes. A snapshot: rebuilt only when that set changes.
    pub fn ring(&self) -> Arc<HashRing> {
        todo!("milestone 3")
    }

    /// Starts joining a cluster: a `Ping` to every seed but itself. Seeds are not members until they answer.
    pub fn join(&mut self, seeds: &[&str]) -> Vec<Message> {
        todo!("milestone 3")
    }

    /// Runs the timers due at the clock's current time and returns the messages to send. A timer fires at the
    /// first tick at or after its deadline, in this order:
    ///
    /// 1. A `Suspect` member becomes `Dead` once `suspicion_timeout` has passed since this member started
    ///    suspecting it: when the suspicion entered its view, by its own probe or by gossip (a suspicion of a
    ///    higher incarnation restarts the timer).
    /// 2. The probe of the current period, if unanswered: once `protocol_period` has passed since its ping,
    ///    the probe has failed and the target becomes `Suspect` (if it is still `Alive` here). Before that,
    ///    once `probe_timeout` has passed, a `PingReq` with the probe's `seq` goes to up to `indirect_probes`
    ///    other members not `Dead`, chosen at random (once per probe).
    /// 3. A new protocol period, at the first tick and then `protocol_period` after the previous one started:
    ///    a `Ping` to the next target of a randomised round robin over the members not `Dead` (the list is
    ///    shuffled at the start of each round; a member that appears or comes back is slotted in at a random
    ///    place of the rest of the round), so every live member is probed once per round; and a `Ping` to
    ///    one `Dead` member, each in turn, so that a healed partition reconnects.
    pub fn tick(&mut self) -> Vec<Message> {
        todo!("milestone 3")
    }

    /// Handles one message and returns the replies to send. A message addressed to another member is ignored.
    ///
    /// The gossip is merged first (see the [module docs](self)), so a reply already carries any refutation.
    /// Then:
    ///
    /// - `Ping { seq }` is answered with `Ack { seq, target: <this member> }` to the sender, whatever the
    ///   sender's status here (that answer is how a member declared dead learns it and refutes);
    /// - `PingReq { seq, target }`: a `Ping` with a fresh `seq` goes to `target`, and when `target` acks it,
    ///   `Ack { seq, target }` (with the requester's `seq`) goes to the requester; an unanswered relay is
    ///   forgotten after a protocol period;
    /// - `Ack { seq, target }` relays an ack as above, or answers the current probe if `seq` and `target`
    ///   match it (an ack from the target itself or relayed by a helper); other acks are ignored.
    pub fn receive(&mut self, message: Message) -> Vec<Message> {
        todo!("milestone 3")
    }
}
