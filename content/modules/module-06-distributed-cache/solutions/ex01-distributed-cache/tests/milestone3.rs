//! Milestone 3: gossip membership with SWIM-style failure detection, as a sans-IO state machine.
//!
//! Every test drives in-process `Membership`s through an in-memory network: messages are delivered in FIFO
//! order, instantly, unless the test crashed a member, cut a link or turned on seeded random loss. Time is a
//! `ManualClock` advanced in steps of 100 ms, and every member is ticked after each step. No test sleeps,
//! opens a socket or reads the wall clock, and every random choice comes from a seed, so each run is the same.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use ex01_distributed_cache::{
    HashRing, ManualClock, Member, Membership, MembershipConfig, Message, MessageKind, Status,
    DEFAULT_VNODES,
};

const STEP_MS: u64 = 100;
const PERIOD_MS: u64 = 1_000;
const PROBE_TIMEOUT_MS: u64 = 300;
const SUSPICION_MS: u64 = 6_000;
const STEPS_PER_PERIOD: u64 = PERIOD_MS / STEP_MS;

fn config(seed: u64) -> MembershipConfig {
    MembershipConfig {
        protocol_period: Duration::from_millis(PERIOD_MS),
        probe_timeout: Duration::from_millis(PROBE_TIMEOUT_MS),
        indirect_probes: 3,
        suspicion_timeout: Duration::from_millis(SUSPICION_MS),
        vnodes: DEFAULT_VNODES,
        seed,
    }
}

fn id(i: usize) -> String {
    format!("cache-{i}:7000")
}

fn ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(id).collect()
}

fn ring_of<S: AsRef<str>>(members: &[S]) -> HashRing {
    let mut ring = HashRing::new();
    for m in members {
        assert!(ring.add_node(m.as_ref(), DEFAULT_VNODES));
    }
    ring
}

/// An in-memory network of members sharing one manual clock.
struct Cluster {
    clock: ManualClock,
    config: MembershipConfig,
    nodes: BTreeMap<String, Membership<ManualClock>>,
    /// Crashed members: not ticked, and every message to them is lost.
    down: BTreeSet<String>,
    /// Cut links, in both directions.
    cut: BTreeSet<(String, String)>,
    /// Random loss in messages per thousand, drawn from a seeded xorshift generator.
    loss_per_mille: u64,
    rng: u64,
    queue: VecDeque<Message>,
    /// Every message handed to the network, in order (lost ones included).
    sent: Vec<Message>,
}

impl Cluster {
    fn new(config: MembershipConfig) -> Self {
        Cluster {
            clock: ManualClock::new(),
            rng: 0x2545_f491_4f6c_dd1d ^ config.seed,
            config,
            nodes: BTreeMap::new(),
            down: BTreeSet::new(),
            cut: BTreeSet::new(),
            loss_per_mille: 0,
            queue: VecDeque::new(),
            sent: Vec::new(),
        }
    }

    /// `n` members `cache-0` .. `cache-{n-1}`, each joining through `cache-0`, run until every member knows
    /// every other one as alive.
    fn start(n: usize, seed: u64) -> Self {
        let mut cluster = Cluster::new(config(seed));
        for i in 0..n {
            let seeds = if i == 0 { vec![] } else { vec![id(0)] };
            cluster.add(&id(i), &seeds);
        }
        let all = ids(0..n);
        let periods = cluster.run_until(20, |c| c.all_alive_everywhere(&all));
        assert!(
            periods.is_some(),
            "a {n}-member cluster formed through one seed did not converge within 20 protocol periods: {:#?}",
            cluster.views()
        );
        cluster
    }

    /// Creates a member (replacing any earlier one of that id, which models a restart) and joins `seeds`.
    fn add(&mut self, member: &str, seeds: &[String]) {
        self.down.remove(member);
        let mut node = Membership::new(member, self.config.clone(), self.clock.clone());
        let seeds: Vec<&str> = seeds.iter().map(String::as_str).collect();
        let hello = node.join(&seeds);
        self.nodes.insert(member.to_string(), node);
        self.send(hello);
        self.deliver();
    }

    fn send(&mut self, messages: Vec<Message>) {
        for message in messages {
            self.sent.push(message.clone());
            self.queue.push_back(message);
        }
    }

    fn lost(&mut self, message: &Message) -> bool {
        if !self.nodes.contains_key(&message.to)
            || self.down.contains(&message.to)
            || self
                .cut
                .contains(&(message.from.clone(), message.to.clone()))
        {
            return true;
        }
        if self.loss_per_mille == 0 {
            return false;
        }
        // xorshift64*
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let draw = self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32;
        draw % 1000 < self.loss_per_mille
    }

    fn deliver(&mut self) {
        let mut delivered = 0;
        while let Some(message) = self.queue.pop_front() {
            delivered += 1;
            assert!(
                delivered < 100_000,
                "a message storm: 100,000 messages in one step"
            );
            if self.lost(&message) {
                continue;
            }
            let to = message.to.clone();
            let replies = self.nodes.get_mut(&to).unwrap().receive(message);
            for reply in &replies {
                assert_eq!(reply.from, to, "a member sends only as itself");
                assert_ne!(reply.to, to, "a member never messages itself");
            }
            self.send(replies);
        }
    }

    /// Advances the clock by one step, ticks every live member in id order, and delivers everything.
    fn step(&mut self) {
        self.clock.advance(Duration::from_millis(STEP_MS));
        let up: Vec<String> = self.up();
        for member in up {
            let out = self.nodes.get_mut(&member).unwrap().tick();
            for message in &out {
                assert_eq!(message.from, member, "a member sends only as itself");
                assert_ne!(message.to, member, "a member never messages itself");
            }
            self.send(out);
        }
        self.deliver();
    }

    /// Steps until `done` holds (checked before each step too), for at most `periods` protocol periods.
    /// Returns the number of steps it took.
    fn run_until(&mut self, periods: u64, done: impl Fn(&Cluster) -> bool) -> Option<u64> {
        for steps in 0..=periods * STEPS_PER_PERIOD {
            if done(self) {
                return Some(steps);
            }
            if steps < periods * STEPS_PER_PERIOD {
                self.step();
            }
        }
        None
    }

    /// Steps for `periods` protocol periods, calling `check` after every step.
    fn run_checking(&mut self, periods: u64, mut check: impl FnMut(&Cluster)) {
        for _ in 0..periods * STEPS_PER_PERIOD {
            self.step();
            check(self);
        }
    }

    fn now(&self) -> u64 {
        use ex01_distributed_cache::Clock;
        self.clock.now_millis()
    }

    fn up(&self) -> Vec<String> {
        self.nodes
            .keys()
            .filter(|m| !self.down.contains(*m))
            .cloned()
            .collect()
    }

    fn node(&self, member: &str) -> &Membership<ManualClock> {
        &self.nodes[member]
    }

    /// What `observer` believes about `member`.
    fn status(&self, observer: &str, member: &str) -> Option<Status> {
        self.node(observer).member(member).map(|m| m.status)
    }

    fn cut_link(&mut self, a: &str, b: &str) {
        self.cut.insert((a.to_string(), b.to_string()));
        self.cut.insert((b.to_string(), a.to_string()));
    }

    fn isolate(&mut self, member: &str) {
        for other in self.nodes.keys().cloned().collect::<Vec<_>>() {
            if other != member {
                self.cut_link(member, &other);
            }
        }
    }

    fn partition(&mut self, left: &[String], right: &[String]) {
        for a in left {
            for b in right {
                self.cut_link(a, b);
            }
        }
    }

    fn heal(&mut self) {
        self.cut.clear();
    }

    /// Every live member sees every one of `members` as `Alive`, and nothing else as anything but `Dead`.
    fn all_alive_everywhere(&self, members: &[String]) -> bool {
        self.up().iter().all(|observer| {
            let view = self.node(observer).members();
            members
                .iter()
                .all(|m| view.iter().any(|r| &r.id == m && r.status == Status::Alive))
                && view
                    .iter()
                    .all(|r| members.contains(&r.id) || r.status == Status::Dead)
        })
    }

    /// Every live member sees `member` as `Dead`.
    fn dead_everywhere(&self, member: &str) -> bool {
        self.up()
            .iter()
            .all(|observer| self.status(observer, member) == Some(Status::Dead))
    }

    /// Live observers that see `member` in state `status`.
    fn seen_as(&self, member: &str, status: Status) -> Vec<String> {
        self.up()
            .into_iter()
            .filter(|observer| self.status(observer, member) == Some(status))
            .collect()
    }

    fn views(&self) -> BTreeMap<String, Vec<Member>> {
        self.up()
            .into_iter()
            .map(|m| {
                let view = self.node(&m).members();
                (m, view)
            })
            .collect()
    }
}

fn keys() -> Vec<Vec<u8>> {
    (0..20_000)
        .map(|i| format!("session:{i}").into_bytes())
        .collect()
}

fn owners(ring: &HashRing, keys: &[Vec<u8>]) -> Vec<String> {
    keys.iter()
        .map(|k| ring.owner(k).unwrap().to_string())
        .collect()
}

fn rumour(from: &str, to: &str, updates: Vec<Member>) -> Message {
    Message {
        from: from.to_string(),
        to: to.to_string(),
        kind: MessageKind::Ping { seq: 7 },
        updates,
    }
}

// ---------------------------------------------------------------------------------------------------------
// The merge rule and a single member

#[test]
fn the_merge_rule_is_a_commutative_associative_idempotent_join() {
    use Status::{Alive, Dead, Suspect};
    assert!(Alive < Suspect && Suspect < Dead);
    assert_eq!(Member::new("m", 3, Suspect).rank(), (3, Suspect));
    assert!(
        Member::new("m", 2, Alive).rank() > Member::new("m", 1, Dead).rank(),
        "a higher incarnation wins, whatever the status"
    );
    assert!(Member::new("m", 1, Dead).rank() > Member::new("m", 1, Suspect).rank());
    assert!(Member::new("m", 1, Suspect).rank() > Member::new("m", 1, Alive).rank());

    let records: Vec<Member> = (0..3)
        .flat_map(|inc| [Alive, Suspect, Dead].map(|s| Member::new("m", inc, s)))
        .collect();
    for a in &records {
        for b in &records {
            let mut ab = a.clone();
            let changed = ab.merge(b);
            let expected = if b.rank() > a.rank() { b } else { a };
            assert_eq!(
                &ab, expected,
                "merging {b:?} into {a:?} keeps the higher rank"
            );
            assert_eq!(
                changed,
                ab != *a,
                "merge reports whether it changed the record ({a:?} <- {b:?})"
            );

            let mut ba = b.clone();
            ba.merge(a);
            assert_eq!(ab, ba, "merge is commutative ({a:?}, {b:?})");

            let mut again = ab.clone();
            assert!(
                !again.merge(b) && !again.merge(a),
                "merge is idempotent ({a:?}, {b:?})"
            );
            assert_eq!(again, ab);

            for c in &records {
                let mut left = ab.clone();
                left.merge(c);
                let mut bc = b.clone();
                bc.merge(c);
                let mut right = a.clone();
                right.merge(&bc);
                assert_eq!(left, right, "merge is associative ({a:?}, {b:?}, {c:?})");
            }
        }
    }
}

#[test]
fn a_new_member_knows_only_itself_and_owns_the_whole_ring() {
    let clock = ManualClock::new();
    let mut m = Membership::new("solo:7000", config(1), clock.clone());
    assert_eq!(m.id(), "solo:7000");
    assert_eq!(m.incarnation(), 0);
    assert_eq!(
        m.members(),
        vec![Member::new("solo:7000", 0, Status::Alive)]
    );
    assert_eq!(
        m.member("solo:7000"),
        Some(Member::new("solo:7000", 0, Status::Alive))
    );
    assert_eq!(m.member("other:7000"), None);
    assert_eq!(*m.ring(), ring_of(&["solo:7000"]));
    assert!(
        m.join(&["solo:7000"]).is_empty(),
        "a member does not join through itself"
    );
    for _ in 0..50 {
        clock.advance(Duration::from_millis(STEP_MS));
        assert!(
            m.tick().is_empty(),
            "a member alone has nobody to probe or gossip with"
        );
    }
    assert_eq!(
        m.members(),
        vec![Member::new("solo:7000", 0, Status::Alive)]
    );
}

#[test]
fn a_member_refutes_any_rumour_that_outranks_its_own_record() {
    let me = "a:7000";
    let peer = "b:7000";
    let mut m = Membership::new(me, config(2), ManualClock::new());

    let replies = m.receive(rumour(
        peer,
        me,
        vec![
            Member::new(me, 0, Status::Suspect),
            Member::new(peer, 0, Status::Alive),
        ],
    ));
    assert_eq!(
        m.incarnation(),
        1,
        "Suspect at incarnation 0 is refuted with incarnation 1"
    );
    assert_eq!(m.member(me), Some(Member::new(me, 1, Status::Alive)));
    assert_eq!(m.member(peer), Some(Member::new(peer, 0, Status::Alive)));
    assert_eq!(replies.len(), 1, "a ping gets exactly one answer");
    let ack = &replies[0];
    assert_eq!((ack.from.as_str(), ack.to.as_str()), (me, peer));
    assert_eq!(
        ack.kind,
        MessageKind::Ack {
            seq: 7,
            target: me.to_string()
        }
    );
    assert!(
        ack.updates.contains(&Member::new(me, 1, Status::Alive)),
        "the answer already carries the refutation: {:?}",
        ack.updates
    );
    assert_eq!(*m.ring(), ring_of(&[me, peer]));

    let cases = [
        (
            Member::new(me, 1, Status::Alive),
            1,
            "an equal Alive record",
        ),
        (Member::new(me, 3, Status::Dead), 4, "Dead at incarnation 3"),
        (
            Member::new(me, 2, Status::Suspect),
            4,
            "a stale Suspect record",
        ),
        (
            Member::new(me, 4, Status::Alive),
            4,
            "an equal Alive record",
        ),
        (
            Member::new(me, 6, Status::Alive),
            7,
            "Alive at a higher incarnation (from an earlier life)",
        ),
    ];
    for (record, expected, what) in cases {
        m.receive(rumour(peer, me, vec![record]));
        assert_eq!(m.incarnation(), expected, "after {what}");
        assert_eq!(
            m.member(me),
            Some(Member::new(me, expected, Status::Alive)),
            "a member always sees itself Alive"
        );
    }

    let elsewhere = rumour(
        peer,
        "c:7000",
        vec![Member::new("d:7000", 0, Status::Alive)],
    );
    assert!(
        m.receive(elsewhere).is_empty(),
        "a message for another member is ignored"
    );
    assert_eq!(m.member("d:7000"), None, "and so is its gossip");
}

// ---------------------------------------------------------------------------------------------------------
// Joining

#[test]
fn a_joining_member_learns_the_cluster_from_one_seed_and_is_soon_known_to_all() {
    let mut cluster = Cluster::start(7, 3);
    let joiner = id(7);
    cluster.add(&joiner, &["unreachable:7000".to_string(), id(3)]);

    let all = ids(0..8);
    let expected: Vec<Member> = all
        .iter()
        .map(|m| Member::new(m.clone(), 0, Status::Alive))
        .collect();
    assert_eq!(
        cluster.node(&joiner).members(),
        expected,
        "one answer from a reachable seed carries its whole member list; an unreachable seed is not a member"
    );
    assert_eq!(cluster.status(&id(3), &joiner), Some(Status::Alive));

    let steps = cluster.run_until(6, |c| c.all_alive_everywhere(&all));
    assert!(
        steps.is_some(),
        "every member knows the joiner within 6 protocol periods: {:#?}",
        cluster.views()
    );
    let ring = ring_of(&all);
    for observer in &all {
        assert_eq!(
            *cluster.node(observer).ring(),
            ring,
            "{observer}'s ring has all eight members"
        );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Failure detection

#[test]
fn a_silent_member_is_suspected_then_declared_dead_on_schedule() {
    let mut cluster = Cluster::start(6, 4);
    let victim = id(5);
    let survivors = ids(0..5);
    cluster.down.insert(victim.clone());
    let crashed_at = cluster.now();

    // Somebody probes it within two rounds of the randomised round robin (a round is at most 5 periods).
    let mut suspected_at = None;
    for _ in 0..11 * STEPS_PER_PERIOD {
        cluster.step();
        assert!(
            cluster.seen_as(&victim, Status::Dead).is_empty(),
            "dead before anyone suspected it"
        );
        let suspecting = cluster.seen_as(&victim, Status::Suspect);
        if !suspecting.is_empty() {
            assert!(
                cluster.now() >= crashed_at + PERIOD_MS,
                "suspected at {} ms, less than a protocol period after it fell silent at {crashed_at} ms",
                cluster.now()
            );
            for observer in &suspecting {
                assert!(
                    cluster.node(observer).ring().contains(&victim),
                    "a suspect stays on the ring until it is declared dead"
                );
            }
            suspected_at = Some(cluster.now());
            break;
        }
    }
    let suspected_at =
        suspected_at.expect("the silent member was suspected within 11 protocol periods");

    // Nobody declares it dead before the suspicion timeout has run out.
    while cluster.now() + STEP_MS < suspected_at + SUSPICION_MS {
        cluster.step();
        assert!(
            cluster.seen_as(&victim, Status::Dead).is_empty(),
            "declared dead at {} ms, before the suspicion timeout ({SUSPICION_MS} ms) that started at {suspected_at} ms",
            cluster.now()
        );
        for observer in cluster.seen_as(&victim, Status::Suspect) {
            assert!(cluster.node(&observer).ring().contains(&victim));
        }
    }
    cluster.step();
    assert_eq!(cluster.now(), suspected_at + SUSPICION_MS);
    assert!(
        !cluster.seen_as(&victim, Status::Dead).is_empty(),
        "the first suspicion's timeout ran out at {} ms: somebody declares the member dead",
        cluster.now()
    );

    let steps = cluster.run_until(4, |c| c.dead_everywhere(&victim));
    assert!(
        steps.is_some(),
        "every survivor knows it is dead within 4 periods of the first declaration: {:#?}",
        cluster.views()
    );
    let ring = ring_of(&survivors);
    for observer in &survivors {
        assert_eq!(
            cluster.node(observer).member(&victim),
            Some(Member::new(victim.clone(), 0, Status::Dead))
        );
        assert_eq!(
            *cluster.node(observer).ring(),
            ring,
            "{observer}'s ring lost only the dead member"
        );
        for other in &survivors {
            assert_eq!(
                cluster.status(observer, other),
                Some(Status::Alive),
                "no survivor was suspected along the way"
            );
        }
    }
}

#[test]
fn indirect_probes_through_other_members_bridge_a_broken_link() {
    let mut cluster = Cluster::start(5, 5);
    cluster.cut_link(&id(0), &id(1));
    let all = ids(0..5);
    cluster.run_checking(30, |c| {
        assert!(
            c.all_alive_everywhere(&all),
            "a direct link failure made a member suspect another one at {} ms, although other members could reach it: {:#?}",
            c.now(),
            c.views()
        );
    });
}

#[test]
fn a_suspected_member_that_is_alive_refutes_by_raising_its_incarnation() {
    let mut cluster = Cluster::start(5, 6);
    let target = id(2);
    let all = ids(0..5);
    cluster.isolate(&target);
    let suspected = cluster.run_until(11, |c| !c.seen_as(&target, Status::Suspect).is_empty());
    assert!(
        suspected.is_some(),
        "an unreachable member is suspected within 11 protocol periods"
    );
    cluster.heal();

    let refuted = cluster.run_until(6, |c| {
        assert!(
            c.seen_as(&target, Status::Dead).is_empty(),
            "{target} was declared dead before its refutation spread: {:#?}",
            c.views()
        );
        c.up().iter().all(|observer| {
            c.node(observer).member(&target) == Some(Member::new(target.clone(), 1, Status::Alive))
        })
    });
    assert!(
        refuted.is_some(),
        "within 6 periods of the heal every member sees {target} Alive at incarnation 1: {:#?}",
        cluster.views()
    );
    assert_eq!(cluster.node(&target).incarnation(), 1);

    cluster.run_checking(SUSPICION_MS / PERIOD_MS + 5, |c| {
        for member in &all {
            assert!(
                c.seen_as(member, Status::Dead).is_empty(),
                "{member} was declared dead although it refuted in time: {:#?}",
                c.views()
            );
        }
    });
    assert!(cluster.all_alive_everywhere(&all), "{:#?}", cluster.views());
    let ring = ring_of(&all);
    for observer in &all {
        assert_eq!(*cluster.node(observer).ring(), ring);
    }
}

#[test]
fn a_dead_member_does_not_come_back_from_stale_gossip_only_by_refuting() {
    let mut cluster = Cluster::start(5, 7);
    let victim = id(4);
    let survivors = ids(0..5 - 1);

    // Gossip from before the crash, as a slow network might still deliver it: the victim's own last
    // message, and a survivor's, both saying the victim is alive.
    let from_victim = cluster
        .sent
        .iter()
        .rev()
        .find(|m| m.from == victim)
        .cloned()
        .unwrap();
    let from_survivor = cluster
        .sent
        .iter()
        .rev()
        .find(|m| m.from == id(0))
        .cloned()
        .unwrap();
    for stale in [&from_victim, &from_survivor] {
        assert!(stale
            .updates
            .contains(&Member::new(victim.clone(), 0, Status::Alive)));
    }

    cluster.down.insert(victim.clone());
    let dead = cluster.run_until(20, |c| c.dead_everywhere(&victim));
    assert!(
        dead.is_some(),
        "every survivor declares the crashed member dead within 20 periods: {:#?}",
        cluster.views()
    );

    let survivor_ring = ring_of(&survivors);
    for observer in &survivors {
        let mut replays = vec![
            from_victim.clone(),
            from_survivor.clone(),
            rumour(
                &id(1),
                observer,
                vec![
                    Member::new(victim.clone(), 0, Status::Alive),
                    Member::new(victim.clone(), 0, Status::Suspect),
                ],
            ),
        ];
        for replay in &mut replays {
            replay.to = observer.clone();
        }
        replays.retain(|m| m.from != *observer);
        cluster.send(replays);
    }
    cluster.deliver();
    cluster.run_checking(10, |c| {
        for observer in &survivors {
            assert_eq!(
                c.node(observer).member(&victim),
                Some(Member::new(victim.clone(), 0, Status::Dead)),
                "{observer} let stale gossip revive a dead member at {} ms",
                c.now()
            );
            assert_eq!(*c.node(observer).ring(), survivor_ring);
        }
    });

    // Restarted, the member knows nothing of its past: it hears it is dead at incarnation 0, and refutes.
    cluster.add(&victim, &[id(0)]);
    let back = cluster.run_until(5, |c| {
        c.up().iter().all(|observer| {
            c.node(observer).member(&victim) == Some(Member::new(victim.clone(), 1, Status::Alive))
        })
    });
    assert!(
        back.is_some(),
        "within 5 periods of its restart every member sees it Alive at incarnation 1: {:#?}",
        cluster.views()
    );
    let ring = ring_of(&ids(0..5));
    for observer in ids(0..5) {
        assert_eq!(*cluster.node(&observer).ring(), ring);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Partitions and loss

#[test]
fn a_partition_heals_and_every_view_converges() {
    let mut cluster = Cluster::start(6, 8);
    let all = ids(0..6);
    let (left, right) = (ids(0..3), ids(3..6));
    let full_ring = ring_of(&all);
    cluster.partition(&left, &right);

    let split = cluster.run_until(25, |c| {
        left.iter().all(|l| {
            right.iter().all(|r| {
                c.status(l, r) == Some(Status::Dead) && c.status(r, l) == Some(Status::Dead)
            })
        })
    });
    assert!(
        split.is_some(),
        "each side declares the other dead within 25 periods: {:#?}",
        cluster.views()
    );
    for (side, ring) in [(&left, ring_of(&left)), (&right, ring_of(&right))] {
        for observer in side {
            assert_eq!(
                *cluster.node(observer).ring(),
                ring,
                "{observer}'s ring is its own side"
            );
            for member in side {
                assert_eq!(cluster.status(observer, member), Some(Status::Alive));
            }
        }
    }

    cluster.heal();
    let converged = cluster.run_until(10, |c| {
        let reference = c.node(&all[0]).members();
        c.all_alive_everywhere(&all) && all.iter().all(|m| c.node(m).members() == reference)
    });
    assert!(
        converged.is_some(),
        "within 10 periods of the heal every member has the same view, all alive: {:#?}",
        cluster.views()
    );
    for observer in &all {
        assert_eq!(*cluster.node(observer).ring(), full_ring);
    }
}

#[test]
fn ten_percent_message_loss_never_gets_a_live_member_declared_dead() {
    let mut cluster = Cluster::start(5, 9);
    let all = ids(0..5);
    cluster.loss_per_mille = 100;
    cluster.run_checking(60, |c| {
        for observer in c.up() {
            for record in c.node(&observer).members() {
                assert_ne!(
                    record.status,
                    Status::Dead,
                    "{observer} declared {} dead at {} ms with only 10% loss",
                    record.id,
                    c.now()
                );
            }
        }
    });
    cluster.loss_per_mille = 0;
    let calm = cluster.run_until(10, |c| c.all_alive_everywhere(&all));
    assert!(
        calm.is_some(),
        "without loss, every view is all Alive again within 10 periods: {:#?}",
        cluster.views()
    );
}

// ---------------------------------------------------------------------------------------------------------
// The ring follows the membership

#[test]
fn membership_changes_move_keys_only_to_or_from_the_changed_member() {
    let mut cluster = Cluster::start(5, 10);
    let keys = keys();
    let five = ids(0..5);
    for observer in &five {
        assert_eq!(*cluster.node(observer).ring(), ring_of(&five));
    }
    let before = owners(&cluster.node(&id(0)).ring(), &keys);

    // A sixth member joins: keys move only to it, about a sixth of them.
    let newcomer = id(5);
    cluster.add(&newcomer, &[id(1)]);
    let six = ids(0..6);
    let joined = cluster.run_until(6, |c| c.all_alive_everywhere(&six));
    assert!(joined.is_some(), "{:#?}", cluster.views());
    for observer in &six {
        assert_eq!(*cluster.node(observer).ring(), ring_of(&six));
    }
    let after_join = owners(&cluster.node(&id(3)).ring(), &keys);
    let mut moved = 0;
    for (old, new) in before.iter().zip(&after_join) {
        if old != new {
            moved += 1;
            assert_eq!(
                new, &newcomer,
                "a key moved from {old} to {new}, not to the newcomer"
            );
        }
    }
    assert!(
        (keys.len() / 10..=keys.len() / 4).contains(&moved),
        "{moved} of {} keys moved to the sixth member; about a sixth should",
        keys.len()
    );

    // A member dies: only its keys move, all of them.
    let victim = id(2);
    cluster.down.insert(victim.clone());
    let dead = cluster.run_until(20, |c| c.dead_everywhere(&victim));
    assert!(dead.is_some(), "{:#?}", cluster.views());
    let survivors: Vec<String> = six.iter().filter(|m| **m != victim).cloned().collect();
    for observer in &survivors {
        assert_eq!(*cluster.node(observer).ring(), ring_of(&survivors));
    }
    let after_death = owners(&cluster.node(&id(4)).ring(), &keys);
    for (old, new) in after_join.iter().zip(&after_death) {
        assert_eq!(
            old != new,
            *old == victim,
            "a key of {old} went to {new}: only the dead member's keys move, all of them"
        );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Determinism

/// A lossy run with a crash; returns every message sent (gossip sorted) and the final views.
fn scripted_run(seed: u64) -> (Vec<Message>, BTreeMap<String, Vec<Member>>) {
    let mut cluster = Cluster::start(5, seed);
    cluster.loss_per_mille = 100;
    cluster.run_until(5, |_| false);
    cluster.down.insert(id(3));
    cluster.run_until(15, |_| false);
    let mut sent = cluster.sent.clone();
    for message in &mut sent {
        message.updates.sort_by(|a, b| a.id.cmp(&b.id));
    }
    (sent, cluster.views())
}

#[test]
fn the_same_seed_replays_the_same_run() {
    let first = scripted_run(11);
    let second = scripted_run(11);
    assert_eq!(
        first.1, second.1,
        "two runs with the same seed end with different views"
    );
    assert_eq!(
        first.0.len(),
        second.0.len(),
        "two runs with the same seed sent different numbers of messages"
    );
    for (i, (a, b)) in first.0.iter().zip(&second.0).enumerate() {
        assert_eq!(
            a, b,
            "message {i} differs between two runs with the same seed (use only the seeded generator and ordered collections for choices)"
        );
    }
}
