//! Milestone 4: replication with quorums, versions from a hybrid logical clock, and read repair.
//!
//! Every test drives in-process `ReplicaNode`s through an in-memory network: the messages an operation returns
//! are queued and delivered one at a time, in FIFO order, unless the test holds them back, drops them or
//! stopped the receiving node. Time is a `ManualClock`. No test sleeps, opens a socket or reads the wall clock.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use ex01_distributed_cache::{
    HashRing, ManualClock, OpId, Outcome, Payload, QuorumConfig, QuorumError, ReplicaMessage,
    ReplicaNode, Version, Versioned,
};

const TIMEOUT_MS: u64 = 500;

fn config(n: usize, r: usize, w: usize) -> QuorumConfig {
    QuorumConfig {
        n,
        r,
        w,
        request_timeout: Duration::from_millis(TIMEOUT_MS),
        hint_retry: Duration::from_millis(1_000),
        max_transfers: 16,
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

/// An in-memory network of replica nodes sharing one manual clock.
struct Cluster {
    clock: ManualClock,
    ring: HashRing,
    nodes: BTreeMap<String, ReplicaNode<ManualClock>>,
    /// Stopped nodes: every message to or from them is lost.
    down: BTreeSet<String>,
    queue: VecDeque<ReplicaMessage>,
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
            ring,
            nodes,
            down: BTreeSet::new(),
            queue: VecDeque::new(),
        }
    }

    fn node(&mut self, id: &str) -> &mut ReplicaNode<ManualClock> {
        self.nodes.get_mut(id).expect("no such node")
    }

    fn replicas(&self, key: &str) -> Vec<String> {
        self.ring
            .replicas(key.as_bytes(), 3)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// A node that is not one of the key's three replicas.
    fn outsider(&self, key: &str) -> String {
        let replicas = self.replicas(key);
        self.nodes
            .keys()
            .find(|n| !replicas.contains(n))
            .expect("a node outside the preference list")
            .clone()
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
            self.queue.extend(replies);
        }
        Some(message)
    }

    fn deliver_all(&mut self) {
        let mut budget = 100_000;
        while self.step().is_some() {
            budget -= 1;
            assert!(budget > 0, "the messages never stop");
        }
    }

    /// Delivers everything, except that messages for which `drop` is true are lost.
    fn deliver_all_except(&mut self, drop: impl Fn(&ReplicaMessage) -> bool) {
        while let Some(message) = self.queue.pop_front() {
            if drop(&message) {
                continue;
            }
            self.queue.push_front(message);
            self.step();
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

    fn value_on(&self, node: &str, key: &str) -> Option<Vec<u8>> {
        self.nodes[node].local(key).and_then(|e| e.value.clone())
    }
}

fn writes_to(message: &ReplicaMessage, node: &str) -> bool {
    message.to == node && matches!(message.payload, Payload::Write { .. })
}

#[test]
fn a_write_is_stored_on_exactly_the_keys_preference_list() {
    let mut cluster = Cluster::new(6, config(3, 2, 3));
    let coordinators: Vec<String> = cluster.nodes.keys().cloned().collect();
    for k in 0..60 {
        let key = format!("key-{k}");
        let via = coordinators[k % coordinators.len()].clone();
        let op = cluster.put(&via, &key, format!("value-{k}").as_bytes());
        cluster.deliver_all();
        cluster.written(&via, op);
        let holders: BTreeSet<String> = cluster
            .nodes
            .iter()
            .filter(|(_, n)| n.local(&key).is_some())
            .map(|(id, _)| id.clone())
            .collect();
        let expected: BTreeSet<String> = cluster.replicas(&key).into_iter().collect();
        assert_eq!(holders, expected, "holders of {key}");
        for replica in &expected {
            assert_eq!(
                cluster.value_on(replica, &key),
                Some(format!("value-{k}").into_bytes())
            );
        }
    }
}

#[test]
fn a_write_is_acknowledged_after_w_acks_and_the_rest_still_land() {
    let mut cluster = Cluster::new(5, config(3, 2, 2));
    let key = "user:42";
    let via = cluster.outsider(key);
    let op = cluster.put(&via, key, b"v1");
    let writes: Vec<ReplicaMessage> = cluster.queue.drain(..).collect();
    assert_eq!(writes.len(), 3, "one write per replica, sent at once");
    let targets: BTreeSet<String> = writes.iter().map(|m| m.to.clone()).collect();
    assert_eq!(targets, cluster.replicas(key).into_iter().collect());

    // The first replica stores it and acknowledges: one ack is not a quorum.
    cluster.queue.push_back(writes[0].clone());
    cluster.step();
    cluster.step();
    assert_eq!(
        cluster.outcome(&via, op),
        None,
        "acknowledged after 1 of W=2"
    );

    // The second ack makes the quorum.
    cluster.queue.push_back(writes[1].clone());
    cluster.deliver_all();
    let version = cluster.written(&via, op);
    assert_eq!(version.node, via, "the coordinator's id breaks ties");
    assert_eq!(cluster.value_on(&writes[2].to, key), None);

    // The third write was not cancelled: it still lands, and its ack changes nothing.
    cluster.queue.push_back(writes[2].clone());
    cluster.deliver_all();
    assert_eq!(cluster.value_on(&writes[2].to, key), Some(b"v1".to_vec()));
    assert_eq!(
        cluster.outcome(&via, op),
        None,
        "an outcome is reported once"
    );
}

#[test]
fn a_coordinator_that_is_a_replica_counts_its_own_write() {
    let mut cluster = Cluster::new(5, config(3, 1, 1));
    let key = "session:7";
    let via = cluster.replicas(key)[1].clone();
    let op = cluster.put(&via, key, b"mine");
    assert_eq!(
        cluster.queue.len(),
        2,
        "the two other replicas are sent the write"
    );
    assert!(matches!(
        cluster.outcome(&via, op),
        Some(Outcome::Written(_))
    ));
    assert_eq!(cluster.value_on(&via, key), Some(b"mine".to_vec()));
    let op = cluster.get(&via, key);
    assert_eq!(
        cluster.read(&via, op).and_then(|e| e.value),
        Some(b"mine".to_vec()),
        "R=1 on a replica answers from its own store"
    );
}

#[test]
fn a_write_fails_when_fewer_than_w_replicas_answer_before_the_timeout() {
    let mut cluster = Cluster::new(5, config(3, 2, 2));
    let key = "order:9";
    let replicas = cluster.replicas(key);
    let via = cluster.outsider(key);
    cluster.down.insert(replicas[1].clone());
    cluster.down.insert(replicas[2].clone());
    let op = cluster.put(&via, key, b"lost?");
    let held: Vec<ReplicaMessage> = cluster
        .queue
        .iter()
        .filter(|m| m.to != replicas[0])
        .cloned()
        .collect();
    cluster.deliver_all();
    assert_eq!(cluster.outcome(&via, op), None);

    cluster.clock.advance(Duration::from_millis(TIMEOUT_MS - 1));
    cluster.tick_all();
    assert_eq!(cluster.outcome(&via, op), None, "failed before the timeout");
    cluster.clock.advance(Duration::from_millis(1));
    cluster.tick_all();
    assert_eq!(
        cluster.outcome(&via, op),
        Some(Outcome::Failed(QuorumError::Timeout {
            answered: 1,
            required: 2
        }))
    );

    // The replicas come back and the held writes arrive late: their acks do not revive the write.
    cluster.down.clear();
    cluster.queue.extend(held);
    cluster.deliver_all();
    cluster.tick_all();
    assert_eq!(cluster.outcome(&via, op), None);
    // A failed write is not rolled back: the replicas that got it keep it.
    assert_eq!(cluster.value_on(&replicas[0], key), Some(b"lost?".to_vec()));
}

#[test]
fn an_operation_fails_at_once_when_the_ring_has_fewer_nodes_than_the_quorum() {
    let mut cluster = Cluster::new(2, config(3, 3, 3));
    let via = id(0);
    let op = cluster.put(&via, "k", b"v");
    assert!(cluster.queue.is_empty(), "nothing is sent");
    assert_eq!(
        cluster.outcome(&via, op),
        Some(Outcome::Failed(QuorumError::Unavailable {
            available: 2,
            required: 3
        }))
    );
    let op = cluster.get(&via, "k");
    assert!(cluster.queue.is_empty(), "nothing is sent");
    assert_eq!(
        cluster.outcome(&via, op),
        Some(Outcome::Failed(QuorumError::Unavailable {
            available: 2,
            required: 3
        }))
    );
}

#[test]
fn a_read_waits_for_r_responses_and_returns_the_newest() {
    let mut cluster = Cluster::new(5, config(3, 2, 2));
    let key = "profile:1";
    let replicas = cluster.replicas(key);
    let via = cluster.outsider(key);
    let op = cluster.put(&via, key, b"old");
    cluster.deliver_all();
    let old = cluster.written(&via, op);
    cluster.clock.advance(Duration::from_millis(10));
    let op = cluster.put(&via, key, b"new");
    let stale = replicas[0].clone();
    cluster.deliver_all_except(|m| writes_to(m, &stale));
    let new = cluster.written(&via, op);
    assert!(new > old);
    assert_eq!(cluster.value_on(&stale, key), Some(b"old".to_vec()));

    // Read through a coordinator that is not a replica; the stale replica answers first.
    let op = cluster.get(&via, key);
    let mut reads: Vec<ReplicaMessage> = cluster.queue.drain(..).collect();
    reads.sort_by_key(|m| m.to != stale);
    assert_eq!(reads.len(), 3);
    cluster.queue.push_back(reads[0].clone());
    cluster.deliver_all();
    assert_eq!(cluster.outcome(&via, op), None, "answered after 1 of R=2");
    cluster.queue.push_back(reads[1].clone());
    cluster.step();
    cluster.step();
    let entry = cluster.read(&via, op).expect("the key exists");
    assert_eq!(entry.value, Some(b"new".to_vec()));
    assert_eq!(entry.version, new);
}

#[test]
fn a_read_repairs_a_stale_replica_in_the_background() {
    let mut cluster = Cluster::new(5, config(3, 2, 2));
    let key = "cart:5";
    let replicas = cluster.replicas(key);
    let via = cluster.outsider(key);
    let stale = replicas[2].clone();
    let op = cluster.put(&via, key, b"v1");
    cluster.deliver_all();
    cluster.written(&via, op);
    cluster.clock.advance(Duration::from_millis(10));
    let op = cluster.put(&via, key, b"v2");
    cluster.deliver_all_except(|m| writes_to(m, &stale));
    cluster.written(&via, op);

    // The two fresh replicas answer first: the read has its quorum before the stale one answers...
    let op = cluster.get(&via, key);
    let mut reads: Vec<ReplicaMessage> = cluster.queue.drain(..).collect();
    reads.sort_by_key(|m| m.to == stale);
    cluster.queue.extend(reads);
    cluster.deliver_all();
    assert_eq!(
        cluster.read(&via, op).and_then(|e| e.value),
        Some(b"v2".to_vec())
    );
    // ...and its late, stale answer is repaired all the same.
    assert_eq!(cluster.value_on(&stale, key), Some(b"v2".to_vec()));

    // A replica that missed the key entirely is repaired too.
    let key = "cart:6";
    let replicas = cluster.replicas(key);
    let via = cluster.outsider(key);
    let missing = replicas[0].clone();
    let op = cluster.put(&via, key, b"only two");
    cluster.deliver_all_except(|m| writes_to(m, &missing));
    cluster.written(&via, op);
    assert_eq!(cluster.nodes[&missing].local(key), None);
    let op = cluster.get(&via, key);
    cluster.deliver_all();
    cluster.read(&via, op);
    assert_eq!(cluster.value_on(&missing, key), Some(b"only two".to_vec()));
    let versions: BTreeSet<Version> = replicas
        .iter()
        .map(|r| cluster.nodes[r].local(key).unwrap().version.clone())
        .collect();
    assert_eq!(versions.len(), 1, "every replica holds the same version");
}

#[test]
fn a_read_without_a_quorum_fails_at_the_timeout() {
    let mut cluster = Cluster::new(5, config(3, 3, 2));
    let key = "k";
    let replicas = cluster.replicas(key);
    let via = cluster.outsider(key);
    let op = cluster.put(&via, key, b"v");
    cluster.deliver_all();
    cluster.written(&via, op);
    cluster.down.insert(replicas[0].clone());
    let op = cluster.get(&via, key);
    cluster.deliver_all();
    assert_eq!(cluster.outcome(&via, op), None);
    cluster.clock.advance(Duration::from_millis(TIMEOUT_MS));
    cluster.tick_all();
    assert_eq!(
        cluster.outcome(&via, op),
        Some(Outcome::Failed(QuorumError::Timeout {
            answered: 2,
            required: 3
        }))
    );
}

#[test]
fn replicas_keep_the_highest_version_whatever_the_delivery_order() {
    let mut cluster = Cluster::new(5, config(3, 2, 3));
    let key = "counter";
    let replicas = cluster.replicas(key);
    let via = cluster.outsider(key);
    let first = cluster.put(&via, key, b"first");
    let first_writes: Vec<ReplicaMessage> = cluster.queue.drain(..).collect();
    cluster.clock.advance(Duration::from_millis(5));
    let second = cluster.put(&via, key, b"second");
    // The second write overtakes the first on every replica.
    cluster.deliver_all();
    cluster.queue.extend(first_writes);
    cluster.deliver_all();
    let v1 = cluster.written(&via, first);
    let v2 = cluster.written(&via, second);
    assert!(v2 > v1);
    for replica in &replicas {
        let entry = cluster.nodes[replica].local(key).unwrap();
        assert_eq!(entry.value, Some(b"second".to_vec()), "on {replica}");
        assert_eq!(entry.version, v2);
    }
}

#[test]
fn concurrent_writes_at_the_same_instant_are_ordered_by_coordinator_id_everywhere() {
    let mut cluster = Cluster::new(6, config(3, 2, 3));
    let key = "tie";
    let replicas = cluster.replicas(key);
    let others: Vec<String> = cluster
        .nodes
        .keys()
        .filter(|n| !replicas.contains(n))
        .cloned()
        .collect();
    let (low, high) = (others[0].clone(), others[1].clone());
    assert!(low < high);
    // Both write before hearing of each other; one replica hears `high` first, the others `low` first.
    let a = cluster.put(&low, key, b"from low");
    let low_writes: Vec<ReplicaMessage> = cluster.queue.drain(..).collect();
    let b = cluster.put(&high, key, b"from high");
    let high_writes: Vec<ReplicaMessage> = cluster.queue.drain(..).collect();
    for (l, h) in low_writes.into_iter().zip(high_writes) {
        if l.to == replicas[0] {
            cluster.queue.extend([h, l]);
        } else {
            cluster.queue.extend([l, h]);
        }
    }
    cluster.deliver_all();
    let va = cluster.written(&low, a);
    let vb = cluster.written(&high, b);
    assert_eq!((va.wall, va.logical), (vb.wall, vb.logical));
    assert!(vb > va);
    for replica in &replicas {
        assert_eq!(
            cluster.value_on(replica, key),
            Some(b"from high".to_vec()),
            "on {replica}"
        );
    }
}

#[test]
fn versions_come_from_a_hybrid_logical_clock_that_beats_a_lagging_wall_clock() {
    // Two coordinators whose wall clocks disagree by ten seconds.
    let ids = [id(0), id(1), id(2)];
    let ring = ring_of(&ids);
    let ahead = ManualClock::new();
    ahead.advance(Duration::from_millis(20_000));
    let behind = ManualClock::new();
    behind.advance(Duration::from_millis(10_000));
    let mut nodes: Vec<ReplicaNode<ManualClock>> = ids
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let clock = if i == 0 {
                ahead.clone()
            } else {
                behind.clone()
            };
            ReplicaNode::new(n, ring.clone(), config(3, 2, 2), clock)
        })
        .collect();
    let (op, mut queue) = nodes[0].put("k", b"written first".to_vec());
    let deliver = |nodes: &mut Vec<ReplicaNode<ManualClock>>, queue: &mut Vec<ReplicaMessage>| {
        while !queue.is_empty() {
            let message = queue.remove(0);
            let to = ids.iter().position(|n| *n == message.to).unwrap();
            queue.extend(nodes[to].receive(message));
        }
    };
    deliver(&mut nodes, &mut queue);
    let Some(Outcome::Written(first)) = nodes[0].take_outcome(op) else {
        panic!("the first write failed");
    };
    assert_eq!(first.wall, 20_000);

    // Node 1 stored the first write, so its next version is higher, although its wall clock says 10 s.
    let (op, mut queue) = nodes[1].put("k", b"written second".to_vec());
    deliver(&mut nodes, &mut queue);
    let Some(Outcome::Written(second)) = nodes[1].take_outcome(op) else {
        panic!("the second write failed");
    };
    assert!(second > first, "{second:?} must beat {first:?}");
    assert_eq!((second.wall, second.logical), (20_000, 1));
    for node in &nodes {
        assert_eq!(
            node.local("k").unwrap().value,
            Some(b"written second".to_vec())
        );
    }

    // A node that only read the newer version also moves its clock past it.
    let (op, mut queue) = nodes[2].get("k");
    deliver(&mut nodes, &mut queue);
    assert!(matches!(
        nodes[2].take_outcome(op),
        Some(Outcome::Read(Some(_)))
    ));
    let (op, mut queue) = nodes[2].put("k", b"third".to_vec());
    deliver(&mut nodes, &mut queue);
    let Some(Outcome::Written(third)) = nodes[2].take_outcome(op) else {
        panic!("the third write failed");
    };
    assert!(third > second);

    // Once the wall clock passes the highest version seen, versions follow the wall clock again.
    behind.advance(Duration::from_millis(15_000));
    let (op, mut queue) = nodes[1].put("k", b"later".to_vec());
    deliver(&mut nodes, &mut queue);
    let Some(Outcome::Written(later)) = nodes[1].take_outcome(op) else {
        panic!("the later write failed");
    };
    assert_eq!((later.wall, later.logical), (25_000, 0));
}

#[test]
fn a_delete_writes_a_tombstone_that_a_stale_replica_cannot_undo() {
    let mut cluster = Cluster::new(5, config(3, 2, 2));
    let key = "doc:3";
    let replicas = cluster.replicas(key);
    let via = cluster.outsider(key);
    let stale = replicas[1].clone();
    let op = cluster.put(&via, key, b"draft");
    cluster.deliver_all();
    cluster.written(&via, op);
    cluster.clock.advance(Duration::from_millis(1));
    let (op, out) = cluster.node(&via).delete(key);
    cluster.queue.extend(out);
    cluster.deliver_all_except(|m| writes_to(m, &stale));
    let deleted = cluster.written(&via, op);
    assert_eq!(cluster.value_on(&stale, key), Some(b"draft".to_vec()));

    // Every read through any node sees the tombstone, never the stale value, and repairs the replica.
    let coordinators: Vec<String> = cluster.nodes.keys().cloned().collect();
    for coordinator in coordinators {
        let op = cluster.get(&coordinator, key);
        cluster.deliver_all();
        let entry = cluster.read(&coordinator, op).expect("the tombstone");
        assert_eq!(entry.value, None, "read through {coordinator}");
        assert_eq!(entry.version, deleted);
    }
    let tombstone = cluster.nodes[&stale].local(key).unwrap();
    assert_eq!(tombstone.value, None);
    assert_eq!(tombstone.version, deleted);
}

#[test]
fn with_n3_w2_r2_every_acknowledged_write_is_read_back_with_any_one_node_stopped() {
    let mut cluster = Cluster::new(5, config(3, 2, 2));
    let ids: Vec<String> = cluster.nodes.keys().cloned().collect();
    let mut rng: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |bound: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % bound as u64) as usize
    };
    let mut acknowledged: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for round in 0..ids.len() {
        // Stop one node for the round; the others write and read through random coordinators.
        cluster.down = BTreeSet::from([ids[round].clone()]);
        let live: Vec<String> = ids.iter().filter(|n| **n != ids[round]).cloned().collect();
        for i in 0..40 {
            cluster.clock.advance(Duration::from_millis(1));
            let key = format!("key-{}", next(25));
            let value = format!("round {round} write {i}").into_bytes();
            let via = live[next(live.len())].clone();
            let op = cluster.put(&via, &key, &value);
            cluster.deliver_all();
            cluster.written(&via, op);
            acknowledged.insert(key, value);
            let key = format!("key-{}", next(25));
            let via = live[next(live.len())].clone();
            let op = cluster.get(&via, &key);
            cluster.deliver_all();
            let value = cluster.read(&via, op).and_then(|e| e.value);
            assert_eq!(
                value.as_ref(),
                acknowledged.get(&key),
                "read of {key} through {via} with {} stopped",
                ids[round]
            );
        }
    }
}
