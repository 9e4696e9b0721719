//! Topics plus consumer groups with at-least-once delivery.
//!
//! Each (group, topic) pair has a *committed offset* `c` (every message below it is done), a *delivery
//! cursor* `d` (the next message never handed out) and the set of offsets in `c..d` that were acked out of
//! order. Messages in `c..d` that are not acked are *in flight*. An ack inserts into the set, then `c`
//! advances past the longest acked prefix and the new value is committed durably. After a restart `d` starts
//! again at `c`, so in-flight messages are delivered again: at-least-once, with duplicates for those acked out
//! of order.
//!
//! Milestone 3 leases every delivery until `now + ack_timeout` (see [`crate::delivery`]). An in-flight
//! message is *leased* (its deadline is in a min-heap), *waiting* for redelivery after an expiry or a NACK,
//! or *doomed*: waiting to be appended to `<topic>.dlq` and then acked. Leases, attempt counts and the
//! redelivery queue live in memory; only `c` is durable.
//!
//! ```text
//! <root>/topics/<topic>/...   one TopicLog per topic
//! <root>/offsets.log          the OffsetStore
//! ```

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, VecDeque};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::clock::{Clock, SystemClock};
use crate::delivery::{
    dead_letter_topic, DeadLetter, DeadLetterReason, Delivery, DeliveryConfig, DEAD_LETTER_SUFFIX,
    MAX_ENVELOPE_BYTES,
};
use crate::error::MqError;
use crate::log::{sync_dir, LogConfig, Message, TopicLog};
use crate::names::{validate_group, validate_topic};
use crate::offsets::OffsetStore;
use crate::retention::RetentionPolicy;

/// Largest `max_message_bytes` a topic log accepts.
const MAX_MESSAGE_LIMIT: usize = 64 << 20;

/// A single-node broker: durable topics and consumer groups.
#[derive(Debug)]
pub struct Broker {
    topics_dir: PathBuf,
    config: LogConfig,
    topics: HashMap<String, TopicLog>,
    offsets: OffsetStore,
    groups: HashMap<(String, String), GroupState>,
    delivery: DeliveryConfig,
    ack_timeout_ms: u64,
    clock: Box<dyn Clock>,
    /// Per topic, a sparse time index for retention by age: `(end, time)` pairs, both increasing, saying
    /// that the messages below `end` (and at or above the previous pair's `end`) were appended at or before
    /// `time`. In memory only: the messages found at `open` count as appended then.
    appended: HashMap<String, VecDeque<(u64, u64)>>,
}

/// In-memory delivery state of one group on one topic. Only `committed` is durable.
#[derive(Debug)]
struct GroupState {
    committed: u64,
    next_delivery: u64,
    acked: BTreeSet<u64>,
    /// Every delivered offset in `committed..next_delivery` that is not acked, with its attempts and lease.
    pending: BTreeMap<u64, Pending>,
    /// `(deadline, offset, attempt)` of every lease handed out, earliest first. Entries of leases that ended
    /// otherwise (ack, NACK) are stale and skipped; the top is always live (see `settle`).
    deadlines: BinaryHeap<Reverse<(u64, u64, u32)>>,
    /// Pending offsets without a lease, to be delivered again before new messages, lowest first.
    redeliver: BTreeSet<u64>,
    /// Pending offsets without a lease, to be moved to the dead-letter topic.
    doomed: BTreeMap<u64, DeadLetterReason>,
    /// Subscribed consumers (milestone 4): their credit and the leases they hold.
    consumers: HashMap<String, Consumer>,
}

/// A consumer of a group: at most `credit` leases at a time.
#[derive(Debug)]
struct Consumer {
    credit: usize,
    /// Offsets leased to this consumer whose lease has not ended (acked, NACKed, expired, dead-lettered).
    held: BTreeSet<u64>,
}

#[derive(Debug)]
struct Pending {
    /// Deliveries so far; the current or last lease's attempt number.
    attempts: u32,
    /// The lease's deadline, `None` once it expired or was NACKed.
    deadline: Option<u64>,
    /// The consumer holding the lease, if it was delivered through `receive_as`.
    holder: Option<String>,
}

/// Where an ack or NACK stands.
enum Standing {
    /// Acked, or below the committed offset: nothing to do.
    Done,
    /// Delivered and not finished.
    Pending,
    /// Never delivered (since the last restart).
    NotDelivered,
}

impl GroupState {
    fn new(committed: u64) -> GroupState {
        GroupState {
            committed,
            next_delivery: committed,
            acked: BTreeSet::new(),
            pending: BTreeMap::new(),
            deadlines: BinaryHeap::new(),
            redeliver: BTreeSet::new(),
            doomed: BTreeMap::new(),
            consumers: HashMap::new(),
        }
    }

    fn standing(&self, offset: u64) -> Standing {
        if offset < self.committed || self.acked.contains(&offset) {
            Standing::Done
        } else if self.pending.contains_key(&offset) {
            Standing::Pending
        } else {
            Standing::NotDelivered
        }
    }

    /// Leases `offset` until `deadline` to `holder` and returns the attempt number of this delivery.
    fn lease(&mut self, offset: u64, deadline: u64, holder: Option<&str>) -> u32 {
        let pending = self.pending.entry(offset).or_insert(Pending {
            attempts: 0,
            deadline: None,
            holder: None,
        });
        pending.attempts += 1;
        pending.deadline = Some(deadline);
        pending.holder = holder.map(str::to_string);
        let attempt = pending.attempts;
        if let Some(consumer) = holder.and_then(|h| self.consumers.get_mut(h)) {
            consumer.held.insert(offset);
        }
        self.deadlines.push(Reverse((deadline, offset, attempt)));
        attempt
    }

    /// Whether delivery `attempt` of `offset` still holds its lease at `now`.
    fn holds_lease(&self, offset: u64, attempt: u32, now: u64) -> bool {
        self.pending
            .get(&offset)
            .is_some_and(|p| p.attempts == attempt && p.deadline.is_some_and(|d| now < d))
    }

    /// Ends the lease of `offset` without an ack: queue it for redelivery, or doom it.
    fn release(&mut self, offset: u64, requeue: bool, max_attempts: u32) {
        let Some(pending) = self.pending.get_mut(&offset) else {
            return;
        };
        pending.deadline = None;
        let holder = pending.holder.take();
        let out_of_attempts = pending.attempts >= max_attempts;
        self.return_credit(holder, offset);
        if !requeue {
            self.doomed.insert(offset, DeadLetterReason::Rejected);
        } else if out_of_attempts {
            self.doomed.insert(offset, DeadLetterReason::MaxAttempts);
        } else {
            self.redeliver.insert(offset);
        }
        self.settle();
    }

    /// Releases every lease whose deadline is at or before `now`; returns how many.
    fn expire(&mut self, now: u64, max_attempts: u32) -> usize {
        let mut expired = 0;
        while let Some(&Reverse((deadline, offset, attempt))) = self.deadlines.peek() {
            if deadline > now {
                break;
            }
            self.deadlines.pop();
            if self.is_live(deadline, offset, attempt) {
                self.release(offset, true, max_attempts);
                expired += 1;
            }
        }
        self.settle();
        expired
    }

    /// Marks `offset` done and advances `committed` over the acked prefix; returns whether it moved.
    fn finish(&mut self, offset: u64) -> bool {
        if let Some(pending) = self.pending.remove(&offset) {
            self.return_credit(pending.holder, offset);
        }
        self.redeliver.remove(&offset);
        self.doomed.remove(&offset);
        self.acked.insert(offset);
        let before = self.committed;
        while self.acked.remove(&self.committed) {
            self.committed += 1;
        }
        self.settle();
        self.committed > before
    }

    /// The lease of `offset` held by `holder` ended: one credit back.
    fn return_credit(&mut self, holder: Option<String>, offset: u64) {
        if let Some(consumer) = holder.and_then(|h| self.consumers.get_mut(&h)) {
            consumer.held.remove(&offset);
        }
    }

    fn is_live(&self, deadline: u64, offset: u64, attempt: u32) -> bool {
        self.pending
            .get(&offset)
            .is_some_and(|p| p.attempts == attempt && p.deadline == Some(deadline))
    }

    /// Drops stale entries from the top of the heap, so that its top is the next real deadline.
    fn settle(&mut self) {
        while let Some(&Reverse((deadline, offset, attempt))) = self.deadlines.peek() {
            if self.is_live(deadline, offset, attempt) {
                break;
            }
            self.deadlines.pop();
        }
        // Lazy deletion can leave many stale entries below the top; rebuild when they dominate.
        if self.deadlines.len() > 2 * self.pending.len() + 64 {
            let heap = std::mem::take(&mut self.deadlines);
            self.deadlines = heap
                .into_iter()
                .filter(|Reverse((d, o, a))| self.is_live(*d, *o, *a))
                .collect();
        }
    }

    fn next_deadline(&self) -> Option<u64> {
        self.deadlines
            .peek()
            .map(|Reverse((deadline, _, _))| *deadline)
    }
}

impl Broker {
    /// Opens the broker rooted at `root`, reopening every topic found there with `config`. Deliveries use
    /// [`DeliveryConfig::default`] and the real clock: `open_with(root, config, DeliveryConfig::default(),
    /// SystemClock::new())`.
    pub fn open(root: impl AsRef<Path>, config: LogConfig) -> Result<Broker, MqError> {
        Broker::open_with(root, config, DeliveryConfig::default(), SystemClock::new())
    }

    /// Opens the broker rooted at `root` with the delivery settings `delivery`, reading the time for ack
    /// deadlines only from `clock`. Fails with [`MqError::Config`] if `ack_timeout` is under 1 ms or
    /// `max_attempts` or `max_in_flight` is 0.
    pub fn open_with(
        root: impl AsRef<Path>,
        config: LogConfig,
        delivery: DeliveryConfig,
        clock: impl Clock + 'static,
    ) -> Result<Broker, MqError> {
        let ack_timeout_ms = u64::try_from(delivery.ack_timeout.as_millis()).unwrap_or(u64::MAX);
        if ack_timeout_ms == 0 {
            return Err(MqError::Config("ack_timeout must be at least 1 ms".into()));
        }
        if delivery.max_attempts == 0 {
            return Err(MqError::Config("max_attempts must be at least 1".into()));
        }
        if delivery.max_in_flight == 0 {
            return Err(MqError::Config("max_in_flight must be at least 1".into()));
        }
        let root = root.as_ref();
        let topics_dir = root.join("topics");
        fs::create_dir_all(&topics_dir)?;
        let mut topics = HashMap::new();
        for entry in fs::read_dir(&topics_dir)? {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if entry.file_type()?.is_dir() && validate_topic(&name).is_ok() {
                let log = TopicLog::open(entry.path(), topic_config(&config, &name))?;
                topics.insert(name, log);
            }
        }
        let offsets = OffsetStore::open(root.join("offsets.log"))?;
        let now = clock.now_millis();
        let appended = topics
            .iter()
            .filter(|(_, log)| log.next_offset() > log.earliest_offset())
            .map(|(name, log)| (name.clone(), VecDeque::from([(log.next_offset(), now)])))
            .collect();
        Ok(Broker {
            topics_dir,
            config,
            topics,
            offsets,
            groups: HashMap::new(),
            delivery,
            ack_timeout_ms,
            clock: Box::new(clock),
            appended,
        })
    }

    /// Appends `payload` to `topic`, creating the topic on first use, and returns the message's offset.
    /// Topic names are 1 to 249 characters from `A-Z a-z 0-9 . _ -`, not `.` or `..` (`InvalidTopic`).
    pub fn produce(&mut self, topic: &str, payload: &[u8]) -> Result<u64, MqError> {
        Ok(self.produce_batch(topic, &[payload])?.start)
    }

    /// Appends `payloads` to `topic` as consecutive messages with [`TopicLog::append_batch`] (one write per
    /// segment, at most one fsync), creating the topic on first use, and returns their offsets. A payload
    /// over the size limit fails the whole batch with `MessageTooLarge` and appends nothing. Milestone 4.
    pub fn produce_batch(
        &mut self,
        topic: &str,
        payloads: &[&[u8]],
    ) -> Result<Range<u64>, MqError> {
        validate_topic(topic)?;
        if !self.topics.contains_key(topic) {
            let log = TopicLog::open(
                self.topics_dir.join(topic),
                topic_config(&self.config, topic),
            )?;
            sync_dir(&self.topics_dir)?;
            self.topics.insert(topic.to_string(), log);
        }
        let log = self
            .topics
            .get_mut(topic)
            .ok_or_else(|| MqError::UnknownTopic(topic.to_string()))?;
        let offsets = log.append_batch(payloads)?;
        if !offsets.is_empty() {
            let now = self.clock.now_millis();
            let times = self.appended.entry(topic.to_string()).or_default();
            match times.back_mut() {
                Some(last) if last.1 >= now => last.0 = offsets.end,
                _ => times.push_back((offsets.end, now)),
            }
        }
        Ok(offsets)
    }

    /// The names of all topics, sorted.
    pub fn topics(&self) -> Vec<String> {
        let mut names: Vec<String> = self.topics.keys().cloned().collect();
        names.sort();
        names
    }

    /// Read access to a topic's log.
    pub fn topic(&self, name: &str) -> Option<&TopicLog> {
        self.topics.get(name)
    }

    /// Hands `group` up to `max` messages of `topic` and leases them: [`Broker::receive`] without the
    /// attempt numbers.
    ///
    /// A group starts at its committed offset, or at the topic's earliest offset if it never committed.
    /// In-flight messages are not handed out again by later fetches until their lease expires, they are
    /// NACKed, or the broker restarts. Fails with `UnknownTopic` for a topic never produced to and
    /// `InvalidGroup` for an empty or over-long group name.
    pub fn fetch(&mut self, group: &str, topic: &str, max: usize) -> Result<Vec<Message>, MqError> {
        Ok(self
            .receive(group, topic, max)?
            .into_iter()
            .map(|d| Message {
                offset: d.offset,
                payload: d.payload,
            })
            .collect())
    }

    /// Hands `group` up to `max` messages of `topic`, each leased until the clock reaches now plus
    /// `ack_timeout`.
    ///
    /// First it processes the group's expired leases (as [`Broker::expire_leases`] does, dead-lettering
    /// those out of attempts). Then it redelivers messages whose lease expired or that were NACKed, lowest
    /// offset first, and only then messages never delivered, in offset order, but none at or above
    /// `committed + max_in_flight`. Each [`Delivery`] carries its attempt number: 1 for a first delivery,
    /// one more for each redelivery.
    pub fn receive(
        &mut self,
        group: &str,
        topic: &str,
        max: usize,
    ) -> Result<Vec<Delivery>, MqError> {
        self.deliver(group, topic, max, None)
    }

    /// `receive` for a subscribed consumer, which holds at most its credit of leases (milestone 4).
    ///
    /// Hands out at most `credit - outstanding` messages, where `outstanding` is the number of leases the
    /// consumer holds after the group's expired leases are processed; each lease that ends (ack, NACK,
    /// expiry, dead letter) gives one credit back. The group's `max_in_flight` window applies too. Fails
    /// with [`MqError::UnknownConsumer`] if the consumer is not subscribed.
    pub fn receive_as(
        &mut self,
        group: &str,
        topic: &str,
        consumer: &str,
        max: usize,
    ) -> Result<Vec<Delivery>, MqError> {
        self.deliver(group, topic, max, Some(consumer))
    }

    fn deliver(
        &mut self,
        group: &str,
        topic: &str,
        max: usize,
        consumer: Option<&str>,
    ) -> Result<Vec<Delivery>, MqError> {
        validate_group(group)?;
        let now = self.clock.now_millis();
        let max_attempts = self.delivery.max_attempts;
        {
            let log = self
                .topics
                .get(topic)
                .ok_or_else(|| MqError::UnknownTopic(topic.to_string()))?;
            group_state(&mut self.groups, &self.offsets, log, group, topic)
                .expire(now, max_attempts);
        }
        self.dead_letter_doomed(group, topic)?;

        let log = self
            .topics
            .get(topic)
            .ok_or_else(|| MqError::UnknownTopic(topic.to_string()))?;
        let state = group_state(&mut self.groups, &self.offsets, log, group, topic);
        let max = match consumer {
            None => max,
            Some(name) => {
                let c = state
                    .consumers
                    .get(name)
                    .ok_or_else(|| MqError::UnknownConsumer {
                        group: group.to_string(),
                        topic: topic.to_string(),
                        consumer: name.to_string(),
                    })?;
                max.min(c.credit.saturating_sub(c.held.len()))
            }
        };
        let deadline = now.saturating_add(self.ack_timeout_ms);
        let mut deliveries = Vec::new();
        while deliveries.len() < max {
            let Some(&offset) = state.redeliver.first() else {
                break;
            };
            let message = read_one(log, offset)?;
            state.redeliver.remove(&offset);
            let attempt = state.lease(offset, deadline, consumer);
            deliveries.push(Delivery {
                offset,
                attempt,
                payload: message.payload,
            });
        }
        let window_end = state
            .committed
            .saturating_add(self.delivery.max_in_flight as u64);
        let room = usize::try_from(window_end.saturating_sub(state.next_delivery))
            .unwrap_or(usize::MAX)
            .min(max - deliveries.len());
        if room > 0 {
            for message in log.read(state.next_delivery, room)? {
                state.next_delivery = message.offset + 1;
                let attempt = state.lease(message.offset, deadline, consumer);
                deliveries.push(Delivery {
                    offset: message.offset,
                    attempt,
                    payload: message.payload,
                });
            }
        }
        Ok(deliveries)
    }

    /// Acknowledges that `group` finished the message at `offset` of `topic`, whoever holds its lease.
    ///
    /// Acking an offset below the committed offset, or one already acked, is a harmless duplicate and
    /// succeeds; acking one that was never delivered fails with [`MqError::NotInFlight`]. When the ack extends
    /// the contiguous acked prefix, the new committed offset is made durable before this returns.
    pub fn ack(&mut self, group: &str, topic: &str, offset: u64) -> Result<(), MqError> {
        validate_group(group)?;
        let log = self
            .topics
            .get(topic)
            .ok_or_else(|| MqError::UnknownTopic(topic.to_string()))?;
        let state = group_state(&mut self.groups, &self.offsets, log, group, topic);
        match state.standing(offset) {
            Standing::Done => Ok(()),
            Standing::NotDelivered => Err(not_in_flight(group, topic, offset)),
            Standing::Pending => {
                if state.finish(offset) {
                    self.offsets.commit(group, topic, state.committed)?;
                }
                Ok(())
            }
        }
    }

    /// Acknowledges delivery `attempt` of the message at `offset`: the fenced ack of milestone 3.
    ///
    /// Succeeds, like [`Broker::ack`], if that delivery still holds the message's lease (the clock has not
    /// reached its deadline and it was not NACKed), and does nothing if the message is already done (acked,
    /// dead-lettered or below the committed offset). Fails with [`MqError::StaleLease`] if the delivery lost
    /// its lease (expired or NACKed, whether or not the message was delivered again since, or an attempt never
    /// handed out), so that a late ack is never taken for the current holder's, and with
    /// [`MqError::NotInFlight`] if the message was never delivered.
    pub fn ack_delivery(
        &mut self,
        group: &str,
        topic: &str,
        offset: u64,
        attempt: u32,
    ) -> Result<(), MqError> {
        validate_group(group)?;
        let now = self.clock.now_millis();
        let log = self
            .topics
            .get(topic)
            .ok_or_else(|| MqError::UnknownTopic(topic.to_string()))?;
        let state = group_state(&mut self.groups, &self.offsets, log, group, topic);
        match state.standing(offset) {
            Standing::Done => Ok(()),
            Standing::NotDelivered => Err(not_in_flight(group, topic, offset)),
            Standing::Pending if !state.holds_lease(offset, attempt, now) => {
                Err(stale(group, topic, offset, attempt))
            }
            Standing::Pending => {
                if state.finish(offset) {
                    self.offsets.commit(group, topic, state.committed)?;
                }
                Ok(())
            }
        }
    }

    /// Negatively acknowledges delivery `attempt` of the message at `offset`: the consumer failed it.
    ///
    /// With `requeue`, the message is delivered again by the next fetch, before new messages, unless this
    /// was its `max_attempts`-th delivery: then it is dead-lettered with [`DeadLetterReason::MaxAttempts`].
    /// Without `requeue` it is dead-lettered at once with [`DeadLetterReason::Rejected`]. A dead letter is
    /// appended to `<topic>.dlq` before this returns, and only then is the message acked in `topic`.
    /// Validated like [`Broker::ack_delivery`]: nothing happens for a message already done, `StaleLease` for a
    /// delivery that lost its lease, `NotInFlight` for a message never delivered.
    pub fn nack(
        &mut self,
        group: &str,
        topic: &str,
        offset: u64,
        attempt: u32,
        requeue: bool,
    ) -> Result<(), MqError> {
        validate_group(group)?;
        let now = self.clock.now_millis();
        let max_attempts = self.delivery.max_attempts;
        {
            let log = self
                .topics
                .get(topic)
                .ok_or_else(|| MqError::UnknownTopic(topic.to_string()))?;
            let state = group_state(&mut self.groups, &self.offsets, log, group, topic);
            match state.standing(offset) {
                Standing::Done => return Ok(()),
                Standing::NotDelivered => return Err(not_in_flight(group, topic, offset)),
                Standing::Pending if !state.holds_lease(offset, attempt, now) => {
                    return Err(stale(group, topic, offset, attempt));
                }
                Standing::Pending => state.release(offset, requeue, max_attempts),
            }
        }
        self.dead_letter_doomed(group, topic)
    }

    /// The timer's work: releases every lease of every group whose deadline the clock has reached, queueing
    /// the message for redelivery or, after its `max_attempts`-th delivery, dead-lettering it (appended to
    /// `<topic>.dlq`, then acked). Returns how many leases expired.
    pub fn expire_leases(&mut self) -> Result<usize, MqError> {
        let now = self.clock.now_millis();
        let max_attempts = self.delivery.max_attempts;
        let mut expired = 0;
        let mut doomed = Vec::new();
        for (key, state) in self.groups.iter_mut() {
            expired += state.expire(now, max_attempts);
            if !state.doomed.is_empty() {
                doomed.push(key.clone());
            }
        }
        doomed.sort();
        for (group, topic) in doomed {
            self.dead_letter_doomed(&group, &topic)?;
        }
        Ok(expired)
    }

    /// The earliest deadline of any live lease, in the clock's milliseconds: when the timer should next
    /// call [`Broker::expire_leases`]. `None` when no message is leased.
    pub fn next_deadline(&self) -> Option<u64> {
        self.groups
            .values()
            .filter_map(GroupState::next_deadline)
            .min()
    }

    /// Subscribes `consumer` to `topic` in `group` with `credit`: the most leases it may hold at once
    /// through [`Broker::receive_as`]. Subscribing again changes the credit and keeps the leases held (if
    /// they exceed the new credit, the consumer gets nothing until enough of them end). Consumer names follow
    /// the rules of group names (`InvalidGroup`); the topic must exist (`UnknownTopic`); a credit of 0 fails
    /// with `Config`. Milestone 4.
    pub fn subscribe(
        &mut self,
        group: &str,
        topic: &str,
        consumer: &str,
        credit: usize,
    ) -> Result<(), MqError> {
        validate_group(group)?;
        validate_group(consumer)?;
        if credit == 0 {
            return Err(MqError::Config(
                "a consumer's credit must be at least 1".into(),
            ));
        }
        let log = self
            .topics
            .get(topic)
            .ok_or_else(|| MqError::UnknownTopic(topic.to_string()))?;
        let state = group_state(&mut self.groups, &self.offsets, log, group, topic);
        state
            .consumers
            .entry(consumer.to_string())
            .or_insert_with(|| Consumer {
                credit,
                held: BTreeSet::new(),
            })
            .credit = credit;
        Ok(())
    }

    /// Removes `consumer` from `group` on `topic`: every lease it holds ends at once as if NACKed with requeue
    /// (so the message is delivered again before new ones, or dead-lettered if that was its last attempt).
    /// Unsubscribing a consumer that is not subscribed does nothing. Milestone 4.
    pub fn unsubscribe(&mut self, group: &str, topic: &str, consumer: &str) -> Result<(), MqError> {
        validate_group(group)?;
        let max_attempts = self.delivery.max_attempts;
        {
            let log = self
                .topics
                .get(topic)
                .ok_or_else(|| MqError::UnknownTopic(topic.to_string()))?;
            let state = group_state(&mut self.groups, &self.offsets, log, group, topic);
            let Some(gone) = state.consumers.remove(consumer) else {
                return Ok(());
            };
            for offset in gone.held {
                state.release(offset, true, max_attempts);
            }
        }
        self.dead_letter_doomed(group, topic)
    }

    /// How many leases `consumer` holds in `group` on `topic` at the clock's current time (leases whose
    /// deadline has passed do not count); 0 for a consumer that is not subscribed. Milestone 4.
    pub fn outstanding(&self, group: &str, topic: &str, consumer: &str) -> usize {
        let now = self.clock.now_millis();
        let Some(state) = self.groups.get(&(group.to_string(), topic.to_string())) else {
            return 0;
        };
        let Some(c) = state.consumers.get(consumer) else {
            return 0;
        };
        c.held
            .iter()
            .filter(|o| {
                state
                    .pending
                    .get(o)
                    .and_then(|p| p.deadline)
                    .is_some_and(|d| now < d)
            })
            .count()
    }

    /// Applies `policy` to every topic (dead-letter topics included) and returns how many segments were
    /// deleted. For each topic, deletes whole sealed segments, oldest first, while the topic's total size is
    /// above `max_bytes` or the oldest segment's newest message was appended at least `max_age` ago (by the
    /// broker's clock; messages found on disk at `open` count as appended then). The active segment is never
    /// deleted. Groups that had not finished deleted messages move past them. Milestone 4.
    pub fn apply_retention(&mut self, policy: &RetentionPolicy) -> Result<usize, MqError> {
        let now = self.clock.now_millis();
        let max_age = policy
            .max_age
            .map(|age| u64::try_from(age.as_millis()).unwrap_or(u64::MAX));
        let mut names: Vec<String> = self.topics.keys().cloned().collect();
        names.sort();
        let mut deleted = 0;
        for name in names {
            let Some(log) = self.topics.get_mut(&name) else {
                continue;
            };
            let times = self.appended.entry(name).or_default();
            let bases = log.segment_base_offsets();
            let sizes = log.segment_sizes();
            let mut total: u64 = sizes.iter().sum();
            let mut drop = 0;
            while drop + 1 < bases.len() {
                let too_big = policy.max_bytes.is_some_and(|max| total > max);
                let newest = bases[drop + 1].saturating_sub(1);
                let too_old = max_age.is_some_and(|age| {
                    let i = times.partition_point(|&(end, _)| end <= newest);
                    times
                        .get(i)
                        .is_some_and(|&(_, time)| now.saturating_sub(time) >= age)
                });
                if !too_big && !too_old {
                    break;
                }
                total -= sizes[drop];
                drop += 1;
            }
            if drop > 0 {
                deleted += log.delete_segments_before(bases[drop])?;
                let earliest = log.earliest_offset();
                while times.front().is_some_and(|&(end, _)| end <= earliest) {
                    times.pop_front();
                }
            }
        }
        Ok(deleted)
    }

    /// The durably committed offset of `group` on `topic`: where the group resumes after a restart. `None`
    /// if it never committed.
    pub fn committed_offset(&self, group: &str, topic: &str) -> Option<u64> {
        self.offsets.committed(group, topic)
    }

    /// The offsets delivered to `group` on `topic` and not yet acked or dead-lettered, in order: those
    /// leased and those waiting to be delivered again.
    pub fn in_flight(&self, group: &str, topic: &str) -> Vec<u64> {
        match self.groups.get(&(group.to_string(), topic.to_string())) {
            Some(state) => state.pending.keys().copied().collect(),
            None => Vec::new(),
        }
    }

    /// Moves the group's doomed messages to the dead-letter topic: append first, then ack, so a crash in
    /// between duplicates a dead letter instead of losing the message.
    fn dead_letter_doomed(&mut self, group: &str, topic: &str) -> Result<(), MqError> {
        loop {
            let log = self
                .topics
                .get(topic)
                .ok_or_else(|| MqError::UnknownTopic(topic.to_string()))?;
            let state = group_state(&mut self.groups, &self.offsets, log, group, topic);
            let Some((&offset, &reason)) = state.doomed.first_key_value() else {
                return Ok(());
            };
            let attempts = state.pending.get(&offset).map_or(0, |p| p.attempts);
            let letter = DeadLetter {
                group: group.to_string(),
                topic: topic.to_string(),
                offset,
                attempts,
                reason,
                payload: read_one(log, offset)?.payload,
            };
            self.produce(&dead_letter_topic(topic), &letter.encode())?;
            if let Some(state) = self.groups.get_mut(&(group.to_string(), topic.to_string())) {
                if state.finish(offset) {
                    self.offsets.commit(group, topic, state.committed)?;
                }
            }
        }
    }
}

/// The log config of `topic`. A dead-letter topic accepts messages larger by a dead letter's envelope for
/// each `.dlq` in its name, so a message at the size limit can still be dead-lettered.
fn topic_config(config: &LogConfig, topic: &str) -> LogConfig {
    let mut levels = 0;
    let mut name = topic;
    while let Some(inner) = name.strip_suffix(DEAD_LETTER_SUFFIX) {
        levels += 1;
        name = inner;
    }
    let mut config = config.clone();
    if levels > 0 && config.max_message_bytes <= MAX_MESSAGE_LIMIT {
        config.max_message_bytes = config
            .max_message_bytes
            .saturating_add(levels * MAX_ENVELOPE_BYTES)
            .min(MAX_MESSAGE_LIMIT);
    }
    config
}

fn read_one(log: &TopicLog, offset: u64) -> Result<Message, MqError> {
    log.read(offset, 1)?
        .into_iter()
        .next()
        .filter(|m| m.offset == offset)
        .ok_or(MqError::OffsetOutOfRange {
            requested: offset,
            earliest: log.earliest_offset(),
        })
}

fn not_in_flight(group: &str, topic: &str, offset: u64) -> MqError {
    MqError::NotInFlight {
        group: group.to_string(),
        topic: topic.to_string(),
        offset,
    }
}

fn stale(group: &str, topic: &str, offset: u64, attempt: u32) -> MqError {
    MqError::StaleLease {
        group: group.to_string(),
        topic: topic.to_string(),
        offset,
        attempt,
    }
}

/// The state of (group, topic), created on first use from the durable committed offset.
fn group_state<'a>(
    groups: &'a mut HashMap<(String, String), GroupState>,
    offsets: &OffsetStore,
    log: &TopicLog,
    group: &str,
    topic: &str,
) -> &'a mut GroupState {
    let earliest = log.earliest_offset();
    let state = groups
        .entry((group.to_string(), topic.to_string()))
        .or_insert_with(|| GroupState::new(offsets.committed(group, topic).unwrap_or(earliest)));
    // Retention may have deleted messages the group never finished. They are gone for everyone: move the
    // group past them, or its committed offset could never advance again.
    if state.committed < earliest {
        state.committed = earliest;
        state.next_delivery = state.next_delivery.max(earliest);
        state.acked.retain(|o| *o >= earliest);
        state.pending.retain(|o, _| *o >= earliest);
        state.redeliver.retain(|o| *o >= earliest);
        state.doomed.retain(|o, _| *o >= earliest);
        for consumer in state.consumers.values_mut() {
            consumer.held.retain(|o| *o >= earliest);
        }
        while state.acked.remove(&state.committed) {
            state.committed += 1;
        }
        state.settle();
    }
    state
}
