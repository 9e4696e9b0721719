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

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, MonotonicClock};
use crate::hash::hash64;
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
        (self.incarnation, self.status)
    }

    /// Merges another record of the same member into this one, keeping whichever ranks higher, and returns
    /// whether `self` changed. The merge is commutative, associative and idempotent.
    ///
    /// # Panics
    ///
    /// If the two records are about different members.
    pub fn merge(&mut self, other: &Member) -> bool {
        assert_eq!(self.id, other.id, "merging records of different members");
        if other.rank() > self.rank() {
            self.incarnation = other.incarnation;
            self.status = other.status;
            true
        } else {
            false
        }
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

/// SplitMix64: a tiny, good-enough generator for peer choice. Not for cryptography.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; `n > 0`. The modulo bias is irrelevant for lists of a few members.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// What this member knows about another one.
#[derive(Debug)]
struct Entry {
    member: Member,
    /// When this member started suspecting it (set while `Suspect`).
    suspect_since: Option<u64>,
}

/// The probe of the current protocol period.
#[derive(Debug)]
struct Probe {
    target: String,
    seq: u64,
    sent_at: u64,
    indirect_sent: bool,
}

/// An indirect probe this member runs for another one.
#[derive(Debug)]
struct Relay {
    origin: String,
    origin_seq: u64,
    target: String,
    expires_at: u64,
}

/// One member's view of the cluster and its part in the SWIM protocol. See the [module docs](self).
#[derive(Debug)]
pub struct Membership<C: Clock = MonotonicClock> {
    id: String,
    config: MembershipConfig,
    clock: C,
    rng: Rng,
    incarnation: u64,
    /// Every other member ever heard of, dead ones included (so stale gossip cannot revive them).
    others: BTreeMap<String, Entry>,
    ring: Arc<HashRing>,
    ring_dirty: bool,
    next_seq: u64,
    probe: Option<Probe>,
    next_period_at: u64,
    /// Randomised round robin: the targets of the current round, and how many were taken.
    probe_order: Vec<String>,
    probe_cursor: usize,
    /// Round robin over dead members, pinged once per period so that a healed partition reconnects.
    dead_cursor: usize,
    relays: BTreeMap<u64, Relay>,
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
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
        assert!(!config.protocol_period.is_zero(), "zero protocol period");
        assert!(
            !config.suspicion_timeout.is_zero(),
            "zero suspicion timeout"
        );
        assert!(
            config.probe_timeout < config.protocol_period,
            "the probe timeout must be below the protocol period"
        );
        assert!(
            config.vnodes > 0,
            "a member needs at least one virtual node"
        );
        let now = clock.now_millis();
        let rng = Rng(config.seed ^ hash64(id.as_bytes()));
        let mut membership = Membership {
            id: id.to_string(),
            config,
            clock,
            rng,
            incarnation: 0,
            others: BTreeMap::new(),
            ring: Arc::new(HashRing::new()),
            ring_dirty: true,
            next_seq: 0,
            probe: None,
            next_period_at: now,
            probe_order: Vec::new(),
            probe_cursor: 0,
            dead_cursor: 0,
            relays: BTreeMap::new(),
        };
        membership.refresh_ring();
        membership
    }

    /// This member's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// This member's current incarnation.
    pub fn incarnation(&self) -> u64 {
        self.incarnation
    }

    /// Every member this one knows of, itself included (always `Alive`), dead ones too, sorted by id.
    pub fn members(&self) -> Vec<Member> {
        let mut members: Vec<Member> = self.others.values().map(|e| e.member.clone()).collect();
        let me = Member::new(self.id.clone(), self.incarnation, Status::Alive);
        let at = members.partition_point(|m| m.id < me.id);
        members.insert(at, me);
        members
    }

    /// This member's record of `id` (its own record if `id` is its own), or `None` if it never heard of it.
    pub fn member(&self, id: &str) -> Option<Member> {
        if id == self.id {
            return Some(Member::new(
                self.id.clone(),
                self.incarnation,
                Status::Alive,
            ));
        }
        self.others.get(id).map(|e| e.member.clone())
    }

    /// The ring of every member not `Dead` (so `Alive` and `Suspect`, itself included), each with
    /// `config.vnodes` virtual nodes. A snapshot: rebuilt only when that set changes.
    pub fn ring(&self) -> Arc<HashRing> {
        self.ring.clone()
    }

    /// Starts joining a cluster: a `Ping` to every seed but itself. Seeds are not members until they answer.
    pub fn join(&mut self, seeds: &[&str]) -> Vec<Message> {
        let seeds: Vec<&str> = seeds.iter().copied().filter(|s| *s != self.id).collect();
        seeds
            .into_iter()
            .map(|seed| {
                let seq = self.fresh_seq();
                self.message(seed, MessageKind::Ping { seq })
            })
            .collect()
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
        let now = self.clock.now_millis();
        let period = millis(self.config.protocol_period);
        let mut out = Vec::new();

        self.relays.retain(|_, relay| relay.expires_at > now);

        // Suspicions that were not refuted in time.
        let suspicion = millis(self.config.suspicion_timeout);
        for entry in self.others.values_mut() {
            if let (Status::Suspect, Some(since)) = (entry.member.status, entry.suspect_since) {
                if now >= since.saturating_add(suspicion) {
                    entry.member.status = Status::Dead;
                    entry.suspect_since = None;
                    self.ring_dirty = true;
                }
            }
        }

        // The probe of the current period, if it is still unanswered.
        if let Some(probe) = &self.probe {
            if now >= probe.sent_at.saturating_add(period) {
                let target = probe.target.clone();
                self.probe = None;
                if let Some(entry) = self.others.get_mut(&target) {
                    if entry.member.status == Status::Alive {
                        entry.member.status = Status::Suspect;
                        entry.suspect_since = Some(now);
                    }
                }
            } else if !probe.indirect_sent
                && now
                    >= probe
                        .sent_at
                        .saturating_add(millis(self.config.probe_timeout))
            {
                let (seq, target) = (probe.seq, probe.target.clone());
                if let Some(probe) = &mut self.probe {
                    probe.indirect_sent = true;
                }
                for helper in self.helpers(&target) {
                    let kind = MessageKind::PingReq {
                        seq,
                        target: target.clone(),
                    };
                    out.push(self.message(&helper, kind));
                }
            }
        }

        // A new period: probe the next target, and give one dead member a chance to come back.
        if now >= self.next_period_at {
            self.next_period_at = now.saturating_add(period);
            self.probe = None;
            if let Some(target) = self.next_target() {
                let seq = self.fresh_seq();
                out.push(self.message(&target, MessageKind::Ping { seq }));
                self.probe = Some(Probe {
                    target,
                    seq,
                    sent_at: now,
                    indirect_sent: false,
                });
            }
            if let Some(dead) = self.next_dead() {
                let seq = self.fresh_seq();
                out.push(self.message(&dead, MessageKind::Ping { seq }));
            }
        }

        self.refresh_ring();
        out
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
        if message.to != self.id || message.from == self.id {
            return Vec::new();
        }
        let now = self.clock.now_millis();
        for record in &message.updates {
            self.merge_record(record, now);
        }
        let mut out = Vec::new();
        match message.kind {
            MessageKind::Ping { seq } => {
                let kind = MessageKind::Ack {
                    seq,
                    target: self.id.clone(),
                };
                out.push(self.message(&message.from, kind));
            }
            MessageKind::PingReq { seq, target } if target == self.id => {
                // Asked to probe ourselves: we are evidently here.
                out.push(self.message(&message.from, MessageKind::Ack { seq, target }));
            }
            MessageKind::PingReq { seq, target } => {
                let own_seq = self.fresh_seq();
                self.relays.insert(
                    own_seq,
                    Relay {
                        origin: message.from,
                        origin_seq: seq,
                        target: target.clone(),
                        expires_at: now.saturating_add(millis(self.config.protocol_period)),
                    },
                );
                out.push(self.message(&target, MessageKind::Ping { seq: own_seq }));
            }
            MessageKind::Ack { seq, target } => {
                let relayed = self.relays.get(&seq).is_some_and(|r| r.target == target);
                if relayed {
                    if let Some(relay) = self.relays.remove(&seq) {
                        let kind = MessageKind::Ack {
                            seq: relay.origin_seq,
                            target,
                        };
                        out.push(self.message(&relay.origin, kind));
                    }
                } else if self
                    .probe
                    .as_ref()
                    .is_some_and(|p| p.seq == seq && p.target == target)
                {
                    self.probe = None; // answered: nothing to suspect this period
                }
            }
        }
        self.refresh_ring();
        out
    }

    fn merge_record(&mut self, record: &Member, now: u64) {
        if record.id == self.id {
            // Nobody else decides what we are: refute anything that would rank above our own record.
            if record.rank() > (self.incarnation, Status::Alive) {
                self.incarnation = record.incarnation.saturating_add(1);
            }
            return;
        }
        let revived = match self.others.get_mut(&record.id) {
            Some(entry) => {
                let was_dead = entry.member.status == Status::Dead;
                if !entry.member.merge(record) {
                    return;
                }
                entry.suspect_since = (entry.member.status == Status::Suspect).then_some(now);
                let is_dead = entry.member.status == Status::Dead;
                if was_dead != is_dead {
                    self.ring_dirty = true;
                }
                was_dead && !is_dead
            }
            None => {
                let suspect_since = (record.status == Status::Suspect).then_some(now);
                self.others.insert(
                    record.id.clone(),
                    Entry {
                        member: record.clone(),
                        suspect_since,
                    },
                );
                let live = record.status != Status::Dead;
                self.ring_dirty |= live;
                live
            }
        };
        if revived && !self.probe_order[self.probe_cursor..].contains(&record.id) {
            // New or back: slot it into the rest of this round at a random place, as SWIM does, so it is
            // probed within this round or the next.
            let rest = self.probe_order.len() - self.probe_cursor;
            let at = self.probe_cursor + self.rng.below(rest + 1);
            self.probe_order.insert(at, record.id.clone());
        }
    }

    /// The next target of the randomised round robin: every live member once per round, in an order
    /// shuffled at the start of each round.
    fn next_target(&mut self) -> Option<String> {
        for _ in 0..2 {
            while self.probe_cursor < self.probe_order.len() {
                let id = self.probe_order[self.probe_cursor].clone();
                self.probe_cursor += 1;
                if self
                    .others
                    .get(&id)
                    .is_some_and(|e| e.member.status != Status::Dead)
                {
                    return Some(id);
                }
            }
            self.probe_order = self.live_others().collect();
            self.rng.shuffle(&mut self.probe_order);
            self.probe_cursor = 0;
        }
        None
    }

    fn next_dead(&mut self) -> Option<String> {
        let dead: Vec<&String> = self
            .others
            .iter()
            .filter(|(_, e)| e.member.status == Status::Dead)
            .map(|(id, _)| id)
            .collect();
        if dead.is_empty() {
            return None;
        }
        let chosen = dead[self.dead_cursor % dead.len()].clone();
        self.dead_cursor = self.dead_cursor.wrapping_add(1);
        Some(chosen)
    }

    /// Up to `indirect_probes` random live members other than `target`.
    fn helpers(&mut self, target: &str) -> Vec<String> {
        let mut candidates: Vec<String> = self.live_others().filter(|id| id != target).collect();
        self.rng.shuffle(&mut candidates);
        candidates.truncate(self.config.indirect_probes);
        candidates
    }

    fn live_others(&self) -> impl Iterator<Item = String> + '_ {
        self.others
            .iter()
            .filter(|(_, e)| e.member.status != Status::Dead)
            .map(|(id, _)| id.clone())
    }

    fn fresh_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    fn message(&self, to: &str, kind: MessageKind) -> Message {
        Message {
            from: self.id.clone(),
            to: to.to_string(),
            kind,
            updates: self.members(),
        }
    }

    fn refresh_ring(&mut self) {
        if !self.ring_dirty {
            return;
        }
        self.ring_dirty = false;
        let mut ring = HashRing::new();
        ring.add_node(&self.id, self.config.vnodes);
        for id in self.live_others() {
            ring.add_node(&id, self.config.vnodes);
        }
        self.ring = Arc::new(ring);
    }
}
