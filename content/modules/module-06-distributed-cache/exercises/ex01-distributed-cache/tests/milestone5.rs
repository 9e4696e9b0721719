//! Milestone 5: hinted handoff, rebalancing without lost keys, and the consistency contract across them.
//!
//! Like milestone 4, every test drives in-process `ReplicaNode`s through an in-memory network: messages are
//! delivered one at a time in FIFO order unless the test drops them or stopped the receiving node. Time is a
//! `ManualClock`. No test sleeps, opens a socket or reads the wall clock.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use ex01_distributed_cache::{
    HashRing, ManualClock, OpId, Outcome, Payload, QuorumConfig, QuorumError, ReplicaMessage,
    ReplicaNode, Version, Versioned,
};

const TIMEOUT_MS: u64 = 500;
const HINT_RETRY_MS: u64 = 2_000;

fn config(w: usize, max_transfers: usize) -> QuorumConfig {
    QuorumConfig {
        n: 3,
        r: 2,
        w,
        request_timeout: Duration::from_millis(TIMEOUT_MS),
        hint_retry: Duration::from_millis(HINT_RETRY_MS),
        max_transfers,
    }
}

fn id(i: usize) -> String {
    format!("cache-{i}:7000")
}

fn ring_of(ids: &[String]) -> HashRing {
    let mut ring = HashRing::new();
    for id in ids {
        assert!(ring.add_node(id, 64));
    }
    ring
}

fn replicas_on(ring: &HashRing, key: &str) -> BTreeSet<String> {
    ring.replicas(key.as_bytes(), 3)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// An in-memory network of replica nodes sharing one manual clock.
struct Cluster {
    clock: ManualClock,
    config: QuorumConfig,
    ring: HashRing,
    nodes: BTreeMap<String, ReplicaNode<ManualClock>>,
    /// Stopped nodes: not ticked, and every message to or from them is lost.
    down: BTreeSet<String>,
    queue: VecDeque<ReplicaMessage>,
    /// Every message delivered, in order.
    delivered: Vec<ReplicaMessage>,
}

impl Cluster {
    fn new(size: usize, config: QuorumConfig) -> Self {
        let ids: Vec<String> = (0..size).map(id).collect();
        let ring = ring_of(&ids);
        let clock = ManualClock::new();
        clock.advance(Duration::from_millis(1_000));
        let nodes = ids
            .iter()
            .map(|i| {
                let node = ReplicaNode::new(i, ring.clone(), config.clone(), clock.clone());
                (i.clone(), node)
            })
            .collect();
        Cluster {
            clock,
            config,
            ring,
            nodes,
            down: BTreeSet::new(),
            queue: VecDeque::new(),
            delivered: Vec::new(),
        }
    }

    fn node(&mut self, id: &str) -> &mut ReplicaNode<ManualClock> {
        self.nodes.get_mut(id).expect("no such node")
    }

    fn put(&mut self, via: &str, key: &str, value: &[u8]) -> OpId {
        let (op, out) = self.node(via).put(key, value.to_vec());
        self.queue.extend(out);
        op
    }

    fn get(&mut self, via: &str, key: &str) -> OpId {
        let (op, out) = self.node(via).get(key);
        self.queue.extend(out);
        op
    }

    /// Delivers the oldest queued message (lost if either end is down) and queues its replies.
    fn step(&mut self) -> Option<ReplicaMessage> {
        let message = self.queue.pop_front()?;
        if !self.down.contains(&message.from) && !self.down.contains(&message.to) {
            let replies = self
                .nodes
                .get_mut(&message.to)
                .expect("message to an unknown node")
                .receive(message.clone());
            self.delivered.push(message.clone());
            self.queue.extend(replies);
        }
        Some(message)
    }

    fn deliver_all(&mut self) {
        let mut budget = 1_000_000;
        while self.step().is_some() {
            budget -= 1;
            assert!(budget > 0, "the messages never stop");
        }
    }

    fn tick_all(&mut self) {
        let ids: Vec<String> = self.nodes.keys().cloned().collect();
        for id in ids {
            if !self.down.contains(&id) {
                let out = self.node(&id).tick();
                self.queue.extend(out);
            }
        }
    }

    /// Ticks and delivers, a step of `step_ms` at a time, for `ms` milliseconds.
    fn run_for(&mut self, ms: u64, step_ms: u64) {
        for _ in 0..ms / step_ms {
            self.clock.advance(Duration::from_millis(step_ms));
            self.tick_all();
            self.deliver_all();
        }
    }

    /// Stops a node, and tells every other node it is down.
    fn stop(&mut self, stopped: &str) {
        self.down.insert(stopped.to_owned());
        for (id, node) in self.nodes.iter_mut() {
            if id != stopped {
                node.mark_down(stopped);
            }
        }
    }

    /// Restarts a stopped node (its store intact), and tells every other node it is back.
    fn restart(&mut self, restarted: &str) {
        self.down.remove(restarted);
        let ids: Vec<String> = self.nodes.keys().cloned().collect();
        for id in ids {
            if id != restarted {
                let out = self.node(&id).mark_up(restarted);
                self.queue.extend(out);
            }
        }
    }

    /// Gives every node in `to` the new ring (a node not yet in the cluster is created with it).
    fn change_ring(&mut self, ring: HashRing, to: &[String]) {
        self.ring = ring.clone();
        for id in to {
            if !self.nodes.contains_key(id) {
                let node =
                    ReplicaNode::new(id, ring.clone(), self.config.clone(), self.clock.clone());
                self.nodes.insert(id.clone(), node);
            } else {
                let out = self.node(id).set_ring(ring.clone());
                self.queue.extend(out);
            }
        }
    }

    fn outcome(&mut self, via: &str, op: OpId) -> Option<Outcome> {
        self.node(via).take_outcome(op)
    }

    fn written(&mut self, via: &str, op: OpId) -> Version {
        match self.outcome(via, op) {
            Some(Outcome::Written(version)) => version,
            other => panic!("expected the write to succeed, got {other:?}"),
        }
    }

    fn read(&mut self, via: &str, op: OpId) -> Option<Versioned> {
        match self.outcome(via, op) {
            Some(Outcome::Read(entry)) => entry,
            other => panic!("expected the read to succeed, got {other:?}"),
        }
    }

    fn holders(&self, key: &str) -> BTreeSet<String> {
        self.nodes
            .iter()
            .filter(|(_, n)| n.local(key).is_some())
            .map(|(id, _)| id.clone())
            .collect()
    }

    fn total_hints(&self) -> usize {
        self.nodes.values().map(|n| n.hinted()).sum()
    }

    /// Writes `count` keys with every message delivered, and returns each key's value and version.
    fn load(&mut self, count: usize) -> BTreeMap<String, (Vec<u8>, Version)> {
        let ids: Vec<String> = self.nodes.keys().cloned().collect();
        let mut written = BTreeMap::new();
        for k in 0..count {
            let key = format!("key-{k}");
            let value = format!("value-{k}").into_bytes();
            let via = ids[k % ids.len()].clone();
            let op = self.put(&via, &key, &value);
            self.deliver_all();
            let version = self.written(&via, op);
            written.insert(key, (value, version));
        }
        written
    }

    /// Every key is held by exactly its replicas on the current ring, each with the expected entry.
    fn assert_placed(&self, expected: &BTreeMap<String, (Vec<u8>, Version)>) {
        for (key, (value, version)) in expected {
            assert_eq!(
                self.holders(key),
                replicas_on(&self.ring, key),
                "holders of {key}"
            );
            for holder in self.holders(key) {
                let entry = self.nodes[&holder].local(key).unwrap();
                assert_eq!(entry.value.as_ref(), Some(value), "{key} on {holder}");
                assert_eq!(&entry.version, version, "{key} on {holder}");
            }
        }
    }
}

fn key_with_outsider_coordinator(cluster: &Cluster) -> (String, Vec<String>, String) {
    let key = "user:1".to_owned();
    let replicas: Vec<String> = cluster
        .ring
        .replicas(key.as_bytes(), 3)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let via = cluster
        .nodes
        .keys()
        .find(|n| !replicas.contains(n))
        .unwrap()
        .clone();
    (key, replicas, via)
}

#[test]
fn a_write_for_replicas_marked_down_goes_to_stand_ins_as_hints() {
    let mut cluster = Cluster::new(6, config(2, 16));
    let (key, replicas, via) = key_with_outsider_coordinator(&cluster);
    cluster.stop(&replicas[1]);
    cluster.stop(&replicas[2]);
    let op = cluster.put(&via, &key, b"hinted");
    let writes: Vec<ReplicaMessage> = cluster.queue.iter().cloned().collect();
    cluster.deliver_all();
    cluster.written(&via, op);

    // The stand-ins are the next two live nodes along the ring after the preference list.
    let walk: Vec<String> = cluster
        .ring
        .replicas(key.as_bytes(), 6)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let stand_ins = vec![walk[3].clone(), walk[4].clone()];
    let mut hinted_for = BTreeMap::new();
    for message in &writes {
        if let Payload::Write { hint: Some(h), .. } = &message.payload {
            hinted_for.insert(message.to.clone(), h.clone());
        }
    }
    if stand_ins.contains(&via) {
        // The coordinator keeps its own hint without a message.
        assert_eq!(hinted_for.len(), 1);
    } else {
        assert_eq!(hinted_for.len(), 2);
    }
    for (stand_in, hint) in &hinted_for {
        assert!(stand_ins.contains(stand_in), "{stand_in} is not a stand-in");
        assert!(replicas[1..].contains(hint), "hint for {hint}");
    }
    for stand_in in &stand_ins {
        assert_eq!(cluster.nodes[stand_in].hinted(), 1, "hints on {stand_in}");
        assert_eq!(
            cluster.nodes[stand_in].local(&key),
            None,
            "a hint is kept apart from the stand-in's own data"
        );
    }
    assert_eq!(cluster.holders(&key), BTreeSet::from([replicas[0].clone()]));

    // No sloppy reads: with two replicas down, a read with R=2 is unavailable.
    let op = cluster.get(&via, &key);
    assert!(cluster.queue.is_empty());
    assert_eq!(
        cluster.outcome(&via, op),
        Some(Outcome::Failed(QuorumError::Unavailable {
            available: 1,
            required: 2
        }))
    );

    // The replicas come back: the hints are handed over and dropped.
    cluster.restart(&replicas[1]);
    cluster.restart(&replicas[2]);
    cluster.deliver_all();
    assert_eq!(cluster.total_hints(), 0);
    let expected: BTreeSet<String> = replicas.iter().cloned().collect();
    assert_eq!(cluster.holders(&key), expected);
    let op = cluster.get(&via, &key);
    cluster.deliver_all();
    assert_eq!(
        cluster.read(&via, op).and_then(|e| e.value),
        Some(b"hinted".to_vec())
    );
}

#[test]
fn a_lost_handoff_is_retried_every_hint_retry_until_acknowledged() {
    let mut cluster = Cluster::new(5, config(2, 16));
    let (key, replicas, via) = key_with_outsider_coordinator(&cluster);
    cluster.stop(&replicas[0]);
    let op = cluster.put(&via, &key, b"v");
    cluster.deliver_all();
    cluster.written(&via, op);
    assert_eq!(cluster.total_hints(), 1);

    // The handoff on restart is lost.
    cluster.restart(&replicas[0]);
    assert_eq!(cluster.queue.len(), 1, "one handoff");
    cluster.queue.clear();
    cluster.run_for(HINT_RETRY_MS - 500, 100);
    assert_eq!(cluster.total_hints(), 1, "kept until acknowledged");
    assert_eq!(cluster.nodes[&replicas[0]].local(&key), None);

    cluster.run_for(1_000, 100);
    assert_eq!(cluster.total_hints(), 0);
    assert_eq!(
        cluster.nodes[&replicas[0]]
            .local(&key)
            .and_then(|e| e.value.clone()),
        Some(b"v".to_vec())
    );
}

#[test]
fn a_hint_replaced_by_a_newer_one_survives_the_old_handoffs_ack() {
    let mut cluster = Cluster::new(5, config(2, 16));
    let (key, replicas, via) = key_with_outsider_coordinator(&cluster);
    let down = replicas[2].clone();
    cluster.stop(&down);
    let op = cluster.put(&via, &key, b"v1");
    cluster.deliver_all();
    cluster.written(&via, op);

    // The replica is back, but the stand-in has not heard yet when v2 arrives.
    cluster.restart(&down);
    let handoff: Vec<ReplicaMessage> = cluster.queue.drain(..).collect();
    assert_eq!(handoff.len(), 1);
    let stand_in = handoff[0].from.clone();
    cluster.node(&stand_in).mark_down(&down);
    cluster.clock.advance(Duration::from_millis(1));
    let op = cluster.put(&stand_in, &key, b"v2");
    cluster.deliver_all();
    cluster.written(&stand_in, op);
    assert_eq!(cluster.nodes[&stand_in].hinted(), 1);

    // The v1 handoff is acknowledged: the v2 hint must stay, and be handed over later.
    cluster.queue.extend(handoff);
    cluster.deliver_all();
    assert_eq!(cluster.nodes[&stand_in].hinted(), 1, "the v2 hint was lost");
    let out = cluster.node(&stand_in).mark_up(&down);
    cluster.queue.extend(out);
    cluster.deliver_all();
    assert_eq!(cluster.total_hints(), 0);
    assert_eq!(
        cluster.nodes[&down]
            .local(&key)
            .and_then(|e| e.value.clone()),
        Some(b"v2".to_vec())
    );
}

#[test]
fn a_write_is_unavailable_when_no_node_can_stand_in_for_enough_replicas() {
    let mut cluster = Cluster::new(3, config(3, 16));
    cluster.stop(&id(2));
    let op = cluster.put(&id(0), "k", b"v");
    assert!(cluster.queue.is_empty(), "nothing is sent");
    assert_eq!(
        cluster.outcome(&id(0), op),
        Some(Outcome::Failed(QuorumError::Unavailable {
            available: 2,
            required: 3
        }))
    );
}

#[test]
fn a_joining_node_is_sent_exactly_the_keys_it_now_replicates() {
    let mut cluster = Cluster::new(5, config(3, 16));
    let written = cluster.load(300);
    let before = cluster.ring.clone();
    let mut ids: Vec<String> = cluster.nodes.keys().cloned().collect();
    ids.push(id(5));
    cluster.delivered.clear();
    cluster.change_ring(ring_of(&ids), &ids);
    cluster.run_for(2_000, 100);
    cluster.assert_placed(&written);

    let moved: Vec<&String> = written
        .keys()
        .filter(|k| replicas_on(&before, k) != replicas_on(&cluster.ring, k))
        .collect();
    let on_new = cluster.nodes[&id(5)].keys().len();
    assert!(
        (90..=210).contains(&on_new),
        "the sixth node replicates about half of the 300 keys' copies / 3: {on_new}"
    );
    for message in &cluster.delivered {
        if let Payload::Write { key, .. } = &message.payload {
            assert!(
                replicas_on(&cluster.ring, key).contains(&message.to),
                "{key} sent to {}, not one of its new replicas",
                message.to
            );
            assert!(moved.contains(&key), "{key} did not change replicas");
        }
    }
}

#[test]
fn a_node_leaving_gracefully_hands_over_every_entry_before_dropping_it() {
    let mut cluster = Cluster::new(6, config(3, 16));
    let written = cluster.load(300);
    let leaving = id(3);
    let held = cluster.nodes[&leaving].keys().len();
    assert!(held > 0);
    let remaining: Vec<String> = cluster
        .nodes
        .keys()
        .filter(|n| **n != leaving)
        .cloned()
        .collect();
    let all: Vec<String> = cluster.nodes.keys().cloned().collect();
    cluster.change_ring(ring_of(&remaining), &all);
    assert_eq!(
        cluster.nodes[&leaving].keys().len(),
        held,
        "dropped before any new replica acknowledged"
    );
    cluster.run_for(2_000, 100);
    assert!(cluster.nodes[&leaving].keys().is_empty());
    cluster.nodes.remove(&leaving);
    cluster.assert_placed(&written);
}

#[test]
fn transfers_are_rate_limited_and_resent_when_lost() {
    let mut cluster = Cluster::new(5, config(3, 4));
    let written = cluster.load(200);
    let leaving = id(2);
    let remaining: Vec<String> = cluster
        .nodes
        .keys()
        .filter(|n| **n != leaving)
        .cloned()
        .collect();
    let out = cluster.node(&leaving).set_ring(ring_of(&remaining));
    assert_eq!(out.len(), 4, "max_transfers = 4 in flight");
    cluster.change_ring(ring_of(&remaining), &remaining);

    // Nothing more goes out until an ack comes back or the timeout passes; then the same four again.
    cluster.clock.advance(Duration::from_millis(TIMEOUT_MS - 1));
    assert!(cluster.node(&leaving).tick().is_empty());
    cluster.clock.advance(Duration::from_millis(1));
    let resent = cluster.node(&leaving).tick();
    let keys = |messages: &[ReplicaMessage]| -> BTreeSet<(String, String)> {
        messages
            .iter()
            .map(|m| match &m.payload {
                Payload::Write { key, .. } => (key.clone(), m.to.clone()),
                other => panic!("a transfer is a Write, got {other:?}"),
            })
            .collect()
    };
    assert_eq!(keys(&resent), keys(&out));

    // From now on, never more than four transfers of the leaving node unacknowledged.
    cluster.queue.extend(resent);
    let mut rounds = 0;
    while !cluster.nodes[&leaving].keys().is_empty() {
        rounds += 1;
        assert!(rounds < 10_000, "the handover never finishes");
        let in_flight = cluster
            .queue
            .iter()
            .filter(|m| {
                (m.from == leaving && matches!(m.payload, Payload::Write { .. }))
                    || (m.to == leaving && matches!(m.payload, Payload::WriteAck { .. }))
            })
            .count();
        assert!(in_flight <= 4, "{in_flight} transfers in flight");
        if cluster.step().is_none() {
            cluster.clock.advance(Duration::from_millis(100));
            cluster.tick_all();
        }
    }
    cluster.deliver_all();
    cluster.nodes.remove(&leaving);
    cluster.assert_placed(&written);
}

#[test]
fn after_a_crash_the_survivors_restore_three_copies_of_every_key() {
    let mut cluster = Cluster::new(6, config(3, 16));
    let written = cluster.load(300);
    let crashed = id(4);
    cluster.down.insert(crashed.clone());
    let survivors: Vec<String> = cluster
        .nodes
        .keys()
        .filter(|n| **n != crashed)
        .cloned()
        .collect();
    // Some transfers are lost on the way: every third message.
    cluster.change_ring(ring_of(&survivors), &survivors);
    let mut n = 0;
    while let Some(message) = cluster.queue.pop_front() {
        n += 1;
        if n % 3 != 0 {
            cluster.queue.push_front(message);
            cluster.step();
        }
    }
    cluster.run_for(3_000, 100);
    cluster.nodes.remove(&crashed);
    cluster.assert_placed(&written);
}

#[test]
fn no_acknowledged_write_is_lost_while_nodes_join_and_leave() {
    let mut cluster = Cluster::new(5, config(2, 8));
    let mut expected: BTreeMap<String, Vec<u8>> = cluster
        .load(120)
        .into_iter()
        .map(|(k, (v, _))| (k, v))
        .collect();
    let mut rng: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |bound: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % bound as u64) as usize
    };
    let mut members: Vec<String> = cluster.nodes.keys().cloned().collect();
    let changes = [
        (Some(id(5)), None),
        (None, Some(id(1))),
        (Some(id(6)), None),
    ];
    for (round, (joining, leaving)) in changes.into_iter().enumerate() {
        let before = members.clone();
        if let Some(j) = &joining {
            members.push(j.clone());
        }
        if let Some(l) = &leaving {
            members.retain(|m| m != l);
        }
        let everyone: Vec<String> = before.iter().chain(joining.iter()).cloned().collect();
        cluster.change_ring(ring_of(&members), &everyone);
        // Writes through the new ring interleave with the transfers of the old values.
        for i in 0..60 {
            for _ in 0..next(6) {
                cluster.step();
            }
            cluster.clock.advance(Duration::from_millis(1));
            cluster.tick_all();
            let key = format!("key-{}", next(150));
            let value = format!("round {round} write {i}").into_bytes();
            let via = members[next(members.len())].clone();
            let op = cluster.put(&via, &key, &value);
            cluster.deliver_all();
            cluster.written(&via, op);
            expected.insert(key, value);
        }
        cluster.run_for(2_000, 100);
        if let Some(l) = &leaving {
            assert!(cluster.nodes[l].keys().is_empty(), "{l} kept keys");
            cluster.nodes.remove(l);
        }
        for (key, value) in &expected {
            let via = members[next(members.len())].clone();
            let op = cluster.get(&via, key);
            cluster.deliver_all();
            assert_eq!(
                cluster.read(&via, op).and_then(|e| e.value).as_ref(),
                Some(value),
                "{key} after round {round}"
            );
            assert_eq!(
                cluster.holders(key),
                replicas_on(&cluster.ring, key),
                "holders of {key} after round {round}"
            );
        }
    }
}
